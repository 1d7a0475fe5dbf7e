import {
  encodeFunctionData,
  erc20Abi,
  getAddress,
  isAddressEqual,
  zeroAddress,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
} from 'viem'
import { contractActivity } from './activity.ts'
import { contractAge, isRecent, type ContractAge } from './age.ts'
import type { AccountInfo, Policy, TokenInfo } from './context.ts'
import type { DecodedCall } from './decode.ts'
import { flattenCalls } from './decode.ts'
import type { ContractFacts } from './facts.ts'
import type { BalanceChange, Effects, Transfer } from './effects.ts'
import { simulateFollowUps, type SimulatedTx } from './simulate.ts'
import type { TypedDataSummary } from './typed-data.ts'

type Client = PublicClient<Transport, Chain>
const DEAD = '0x000000000000000000000000000000000000dEaD' as const

export type InspectOptions = {
  /** Contracts this very transaction creates: new by definition. */
  createdNow: Address[]
  /** Approval spenders: their activity is counted too (the only accounts whose popularity a rule reads). */
  spenders: Address[]
  facts: ContractFacts
}

/** Every address the rules will ask about, with code, age, activity and address-book name. */
export async function inspectAccounts(
  client: Client | undefined,
  addresses: Address[],
  policy: Policy,
  options: InspectOptions,
): Promise<Record<Address, AccountInfo>> {
  const unique = [...new Set(addresses.map((a) => getAddress(a)))]
  const nameFor = (a: Address) => Object.entries(policy.addressBook).find(([, v]) => isAddressEqual(v, a))?.[0] ?? null
  if (!client) {
    const none = (a: Address): AccountInfo => ({
      isContract: false,
      delegated: false,
      recent: null,
      name: nameFor(a),
      age: null,
      activity: null,
    })
    return Object.fromEntries(unique.map((a) => [a, none(a)]))
  }
  const latest = await client.getBlockNumber({ cacheTime: 0 })
  const entries = await Promise.all(
    unique.map(async (a): Promise<[Address, AccountInfo]> => {
      const code = (await client.getCode({ address: a }).catch(() => undefined)) ?? '0x'
      const delegated = code.startsWith('0xef0100')
      const createdNow = options.createdNow.some((c) => isAddressEqual(c, a))
      const isContract = (code !== '0x' && !delegated) || createdNow
      const facts = await ageAndActivity(client, a, { latest, policy, options, createdNow, isContract })
      return [a, { isContract, delegated, name: nameFor(a), ...facts }]
    }),
  )
  return Object.fromEntries(entries)
}

/** Age (and, for a spender, activity) of one contract, within the facts' time budget. */
async function ageAndActivity(
  client: Client,
  address: Address,
  at: { latest: bigint; policy: Policy; options: InspectOptions; createdNow: boolean; isContract: boolean },
): Promise<Pick<AccountInfo, 'recent' | 'age' | 'activity'>> {
  const { latest, policy, options } = at
  if (!at.isContract) return { recent: null, age: null, activity: null }
  const query = {
    latest,
    recentBlocks: policy.recentBlocks,
    deadline: Date.now() + options.facts.options.lookupTimeoutMs,
    facts: options.facts,
  }
  const spender = options.spenders.some((s) => isAddressEqual(s, address))
  const [age, activity] = await Promise.all([
    at.createdNow
      ? Promise.resolve<ContractAge>({
          status: 'exact',
          createdAt: latest + 1n,
          method: 'this-transaction',
          tried: [],
        })
      : contractAge(client, address, query),
    spender ? contractActivity(client, address, query) : Promise.resolve(null),
  ])
  return { recent: at.createdNow ? true : isRecent(age, latest, policy.recentBlocks), age, activity }
}

async function tryRead<T>(run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run()
  } catch {
    return undefined
  }
}

/** Symbol, name, decimals and the user's balance of every token involved (strings untrusted). */
export async function inspectTokens(
  client: Client | undefined,
  user: Address,
  effects: Effects,
  typed: TypedDataSummary | undefined,
  decoded: DecodedCall | undefined,
): Promise<Record<Address, TokenInfo>> {
  const kinds = new Map<Address, TokenInfo['kind']>()
  for (const t of effects.transfers) if (t.asset.kind !== 'native') kinds.set(t.asset.token, t.asset.kind)
  for (const a of [...effects.approvals, ...(typed?.approvals ?? [])])
    if (!kinds.has(a.token)) kinds.set(a.token, a.kind === 'operator' || a.kind === 'erc721' ? 'erc721' : 'erc20')
  for (const c of decoded ? flattenCalls(decoded) : []) {
    if (
      c.to &&
      !kinds.has(c.to) &&
      (c.family === 'ERC20' || c.family === 'HermitDevToken' || c.family === 'ERC20Permit')
    )
      kinds.set(c.to, 'erc20')
    if (c.to && !kinds.has(c.to) && c.family === 'ERC721') kinds.set(c.to, 'erc721')
  }
  if (!client) return Object.fromEntries([...kinds].map(([t, kind]) => [t, { kind }]))
  const entries = await Promise.all(
    [...kinds].map(async ([token, kind]): Promise<[Address, TokenInfo]> => {
      const read = <T>(functionName: 'symbol' | 'name' | 'decimals') =>
        tryRead(() => client.readContract({ address: token, abi: erc20Abi, functionName }) as Promise<T>)
      const [symbol, name, decimals, userBalance] = await Promise.all([
        read<string>('symbol'),
        read<string>('name'),
        kind === 'erc20' ? read<number>('decimals') : Promise.resolve(undefined),
        kind === 'erc20'
          ? tryRead(() =>
              client.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [user] }),
            )
          : Promise.resolve(undefined),
      ])
      return [
        token,
        {
          kind,
          ...(symbol === undefined ? {} : { symbol }),
          ...(name === undefined ? {} : { name }),
          ...(decimals === undefined ? {} : { decimals: Number(decimals) }),
          ...(userBalance === undefined ? {} : { userBalance }),
        },
      ]
    }),
  )
  return Object.fromEntries(entries)
}

/**
 * Tokens the user gains that could not be moved on afterwards (honeypots): each is test-sent, in the
 * same simulated block, both to a burn address and back to whoever sent it (a honeypot often only
 * blocks transfers to its pool). If the node cannot simulate, the tokens are "unchecked", not safe.
 */
export async function findUnsellable(
  client: Client,
  tx: SimulatedTx,
  user: Address,
  changes: BalanceChange[],
  transfers: Transfer[],
): Promise<{ unsellable: Address[]; unchecked: Address[] }> {
  const gains = changes.filter((c) => c.holder === user && c.delta > 0n && c.asset.kind === 'erc20')
  if (gains.length === 0) return { unsellable: [], unchecked: [] }
  const tokens = gains.map((g) => (g.asset as { token: Address }).token)
  const followUps = gains.flatMap((g, k) => {
    const token = tokens[k]!
    const from = transfers.find((t) => t.asset.kind === 'erc20' && t.asset.token === token && t.to === user)?.from
    // minted tokens come "from" the zero address, where no token can be sent: test the burn address twice instead
    const sender = from && !isAddressEqual(from, zeroAddress) ? from : DEAD
    return [DEAD, sender].map((to) => ({
      from: user,
      to: token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, g.delta] }),
    }))
  })
  // each follow-up alone after the transaction, so one failing sale does not spoil the next
  try {
    const results = await Promise.all(followUps.map((f) => simulateFollowUps(client, tx, [f])))
    const unsellable = tokens.filter((_, k) => results[2 * k]![0] === false || results[2 * k + 1]![0] === false)
    return { unsellable, unchecked: [] }
  } catch {
    return { unsellable: [], unchecked: tokens }
  }
}

/** Contracts the user's own transfers go to (not already known as tokens): the only ones asked whether they are tokens. */
export function directRecipients(
  effects: Effects,
  user: Address,
  accounts: Record<Address, AccountInfo>,
  tokens: Record<Address, TokenInfo>,
): Address[] {
  const out = new Set<Address>()
  for (const t of effects.transfers)
    if (
      isAddressEqual(t.from, user) &&
      t.by &&
      isAddressEqual(t.by, user) &&
      accounts[t.to]?.isContract &&
      !tokens[t.to]
    )
      out.add(t.to)
  return [...out].slice(0, 8)
}

const ERC165 = [
  {
    type: 'function',
    name: 'supportsInterface',
    stateMutability: 'view',
    inputs: [{ type: 'bytes4' }],
    outputs: [{ type: 'bool' }],
  },
] as const

/** Whether each contract is a token: ERC-165 for ERC-721/1155, then totalSupply() and decimals() for ERC-20. */
export async function probeTokens(client: Client, addresses: Address[]): Promise<Record<Address, TokenInfo>> {
  const entries = await Promise.all(
    addresses.map(async (address): Promise<[Address, TokenInfo] | null> => {
      const supports = (id: `0x${string}`) =>
        tryRead(() => client.readContract({ address, abi: ERC165, functionName: 'supportsInterface', args: [id] }))
      const [is721, is1155, supply, decimals] = await Promise.all([
        supports('0x80ac58cd'),
        supports('0xd9b67a26'),
        tryRead(() => client.readContract({ address, abi: erc20Abi, functionName: 'totalSupply' })),
        tryRead(() => client.readContract({ address, abi: erc20Abi, functionName: 'decimals' })),
      ])
      const kind = is721
        ? 'erc721'
        : is1155
          ? 'erc1155'
          : supply !== undefined && decimals !== undefined
            ? 'erc20'
            : null
      return kind ? [address, { kind }] : null
    }),
  )
  return Object.fromEntries(entries.filter((e): e is [Address, TokenInfo] => e !== null))
}
