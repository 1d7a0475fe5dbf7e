import {
  encodeFunctionData,
  erc20Abi,
  getAddress,
  isAddressEqual,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
} from 'viem'
import type { AccountInfo, Policy, TokenInfo } from './context.ts'
import type { DecodedCall } from './decode.ts'
import { flattenCalls } from './decode.ts'
import type { BalanceChange, Effects, Transfer } from './effects.ts'
import { simulateFollowUps, type SimulatedTx } from './simulate.ts'
import type { TypedDataSummary } from './typed-data.ts'

type Client = PublicClient<Transport, Chain>
const DEAD = '0x000000000000000000000000000000000000dEaD' as const

/** Every address the rules will ask about, with code, age and address-book name. */
export async function inspectAccounts(
  client: Client | undefined,
  addresses: Address[],
  policy: Policy,
  createdNow: Address[],
): Promise<Record<Address, AccountInfo>> {
  const unique = [...new Set(addresses.map((a) => getAddress(a)))]
  const latest = client ? await client.getBlockNumber({ cacheTime: 0 }) : 0n
  const past = latest > BigInt(policy.recentBlocks) ? latest - BigInt(policy.recentBlocks) : 0n
  const nameFor = (a: Address) => Object.entries(policy.addressBook).find(([, v]) => isAddressEqual(v, a))?.[0] ?? null
  const entries = await Promise.all(
    unique.map(async (a): Promise<[Address, AccountInfo]> => {
      if (!client) return [a, { isContract: false, delegated: false, recent: null, name: nameFor(a) }]
      const code = (await client.getCode({ address: a }).catch(() => undefined)) ?? '0x'
      const delegated = code.startsWith('0xef0100')
      const isContract = code !== '0x' && !delegated
      let recent: boolean | null = null
      if (createdNow.some((c) => isAddressEqual(c, a))) recent = true
      else if (isContract) {
        // a fork without archive access cannot answer for old blocks: age unknown, not "old"
        const then = await client.getCode({ address: a, blockNumber: past }).catch(() => null)
        recent = then === null ? null : !then || then === '0x'
      }
      return [a, { isContract: isContract || createdNow.includes(a), delegated, recent, name: nameFor(a) }]
    }),
  )
  return Object.fromEntries(entries)
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
    const sender =
      transfers.find((t) => t.asset.kind === 'erc20' && t.asset.token === token && t.to === user)?.from ?? DEAD
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
