import {
  getAddress,
  isAddressEqual,
  numberToHex,
  pad,
  toEventSelector,
  zeroAddress,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type Transport,
} from 'viem'
import { z } from 'zod'
import { beforeDeadline, nodeSaid, OutOfTime, type ContractFacts } from './facts.ts'

type Client = PublicClient<Transport, Chain>

/**
 * How many distinct accounts used a contract lately: accounts that sent a transaction emitting an
 * `Approval` / `ApprovalForAll` of theirs naming it as spender or operator, or a `Transfer` from
 * them to it (ERC-20 and ERC-721). Only the transaction's own sender counts: any contract can emit
 * a log naming anyone, but a sender costs a real, signed transaction.
 */
export type ContractActivity =
  | {
      status: 'counted'
      accounts: number
      /** Counting stopped at `ACTIVITY_CAP` accounts: at least this many. */
      atLeast: boolean
      /** The blocks searched (the newest `recentBlocks`, or fewer when the page bound cut it). */
      fromBlock: bigint
      toBlock: bigint
    }
  | { status: 'unknown'; reason: string }

/** Counting stops here: past twenty senders a contract is not "unpopular", and the look-ups stay few. */
export const ACTIVITY_CAP = 20
const PAGE_BLOCKS = 2_000n
const MAX_PAGES = 8

const APPROVAL = toEventSelector('event Approval(address indexed owner, address indexed spender, uint256 value)')
const APPROVAL_FOR_ALL = toEventSelector(
  'event ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
)
const TRANSFER = toEventSelector('event Transfer(address indexed from, address indexed to, uint256 value)')
const ZERO_WORD = pad('0x', { size: 32 })

const logsSchema = z.array(
  z
    .object({ topics: z.array(z.string()), data: z.string().optional(), transactionHash: z.string().nullable() })
    .transform((l) => ({
      topics: l.topics.map((t) => t.toLowerCase()),
      data: (l.data ?? '0x').toLowerCase(),
      tx: l.transactionHash as Hash | null,
    })),
)

export type ActivityQuery = { latest: bigint; recentBlocks: number; deadline: number; facts: ContractFacts }

/** Whether a count shows at least `min` accounts. */
export const isActive = (activity: ContractActivity | null, min: number): boolean =>
  activity?.status === 'counted' && activity.accounts >= min

export function describeActivity(activity: ContractActivity): string {
  if (activity.status === 'unknown') return `its use could not be counted (${activity.reason})`
  const n = `${activity.accounts}${activity.atLeast ? '+' : ''}`
  const who = activity.accounts === 1 ? 'account' : 'accounts'
  return `${n} ${who} approved it or sent it tokens in blocks ${activity.fromBlock}–${activity.toBlock}`
}

/**
 * Distinct senders that used `address` in the newest `recentBlocks` blocks: one topic-filtered
 * eth_getLogs per page (any token; the contract as spender, operator or recipient), newest page
 * first, at most `MAX_PAGES` of `PAGE_BLOCKS`, then each candidate's transaction sender checked.
 * Remembered for the facts' `ttlMs`. Never throws.
 */
export async function contractActivity(
  client: Client,
  address: Address,
  query: ActivityQuery,
): Promise<ContractActivity> {
  const chain = await beforeDeadline(query.deadline, () => query.facts.chainOf(client)).catch(() => null)
  const known = chain === null ? undefined : query.facts.activity(chain, address, query.recentBlocks)
  if (known) return known
  const activity = await countActivity(client, address, query)
  if (chain !== null && activity.status === 'counted')
    query.facts.rememberActivity(chain, address, query.recentBlocks, activity)
  return activity
}

type RawRequest = (args: { method: 'eth_getLogs'; params: unknown[] }) => Promise<unknown>

async function countActivity(client: Client, address: Address, query: ActivityQuery): Promise<ContractActivity> {
  const { latest } = query
  const oldest = latest >= BigInt(query.recentBlocks) ? latest - BigInt(query.recentBlocks) + 1n : 0n
  const named = pad(address.toLowerCase() as Hex, { size: 32 })
  // each account once, with the newest transaction that named it (pages go newest first)
  const candidates = new Map<Address, Hash>()
  let toBlock = latest
  let fromBlock = latest
  for (let page = 0; page < MAX_PAGES && toBlock >= oldest; page++) {
    const from = toBlock - PAGE_BLOCKS + 1n > oldest ? toBlock - PAGE_BLOCKS + 1n : oldest
    let logs: z.output<typeof logsSchema>
    try {
      const raw = await beforeDeadline(query.deadline, () =>
        (client.request as unknown as RawRequest)({
          method: 'eth_getLogs',
          params: [
            {
              fromBlock: numberToHex(from),
              toBlock: numberToHex(toBlock),
              topics: [[APPROVAL, APPROVAL_FOR_ALL, TRANSFER], null, named],
            },
          ],
        }),
      )
      logs = logsSchema.parse(raw)
    } catch (error) {
      const why =
        error instanceof OutOfTime ? 'no answer within the time allowed' : `eth_getLogs refused: ${nodeSaid(error)}`
      // what was found before the refusal still stands, as a count over fewer blocks
      if (page === 0) return { status: 'unknown', reason: why }
      break
    }
    for (const log of logs.reverse()) {
      const account = log.topics[1]
      // a revocation (allowance 0, operator switched off) is not use: victims revoking a drainer must not make it look busy
      if (!account || !log.tx || (log.topics[0] !== TRANSFER && log.data === ZERO_WORD)) continue
      const who = getAddress(`0x${account.slice(26)}`)
      if (!isAddressEqual(who, zeroAddress) && !candidates.has(who)) candidates.set(who, log.tx)
    }
    fromBlock = from
    if (candidates.size >= 2 * ACTIVITY_CAP || from === 0n) break
    toBlock = from - 1n
  }
  const senders = await Promise.all(
    [...candidates].slice(0, 2 * ACTIVITY_CAP).map(async ([who, hash]) => {
      const tx = await beforeDeadline(query.deadline, () => client.getTransaction({ hash })).catch(() => null)
      return tx !== null && isAddressEqual(tx.from, who)
    }),
  )
  const accounts = senders.filter(Boolean).length
  return {
    status: 'counted',
    accounts: Math.min(accounts, ACTIVITY_CAP),
    atLeast: accounts >= ACTIVITY_CAP,
    fromBlock,
    toBlock: latest,
  }
}
