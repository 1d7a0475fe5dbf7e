import { isHex, type Address, type Chain, type Hash, type PublicClient, type Transport } from 'viem'
import { z } from 'zod'
import { beforeDeadline, isMethodMissing, nodeSaid, OutOfTime, type ContractFacts } from './facts.ts'

type Client = PublicClient<Transport, Chain>

/** Who said when a contract was created. */
export type AgeMethod = 'this-transaction' | 'ots' | 'code-search' | 'first-log'

/** One method tried, and what it said (an answer, or why it gave none). */
export type AgeAttempt = { method: AgeMethod; said: string }

/**
 * When a contract was created, as far as the node can tell without archive state. `tried` lists
 * every method asked, in order, with what each said.
 */
export type ContractAge =
  /** Created in exactly this block (for `this-transaction`: the block the request would land in). */
  | { status: 'exact'; createdAt: bigint; method: AgeMethod; tried: AgeAttempt[] }
  /** Created at or before `createdBy` (its code, or a log of it, was there) and after `createdAfter` when known. */
  | { status: 'bounded'; createdBy: bigint; createdAfter: bigint | null; method: AgeMethod; tried: AgeAttempt[] }
  /** No method answered. */
  | { status: 'unknown'; tried: AgeAttempt[] }

export type AgeQuery = {
  latest: bigint
  recentBlocks: number
  /** Epoch ms after which no more is asked: what is known by then is the answer. */
  deadline: number
  facts: ContractFacts
}

/** The block a contract must be younger than to count as new: latest − recentBlocks (0 on a young chain). */
export const recentFloor = (latest: bigint, recentBlocks: number): bigint =>
  latest > BigInt(recentBlocks) ? latest - BigInt(recentBlocks) : 0n

/**
 * Whether the age answers "created within the last `recentBlocks`": true, false, or null when the
 * answer does not decide it (unknown, or a bound on the wrong side).
 */
export function isRecent(age: ContractAge, latest: bigint, recentBlocks: number): boolean | null {
  const floor = recentFloor(latest, recentBlocks)
  if (age.status === 'exact') return age.createdAt > floor
  if (age.status === 'unknown') return null
  if (age.createdBy <= floor) return false
  if (age.createdAfter !== null && age.createdAfter >= floor) return true
  return null
}

/** The age in words, for reports: what answered, and why nothing did when nothing did. */
export function describeAge(age: ContractAge): string {
  if (age.status === 'exact')
    return age.method === 'this-transaction'
      ? 'created by this very transaction'
      : `created in block ${age.createdAt} (per ${METHOD_NAMES[age.method]})`
  const why = age.tried.map((t) => `${METHOD_NAMES[t.method]}: ${t.said}`).join('; ')
  if (age.status === 'unknown') return `its age is unknown (${why || 'nothing was asked'})`
  const after = age.createdAfter === null ? '' : ` and after block ${age.createdAfter}`
  return `created at or before block ${age.createdBy}${after} (${why})`
}

const METHOD_NAMES: Record<AgeMethod, string> = {
  'this-transaction': 'this transaction',
  ots: 'ots_getContractCreator',
  'code-search': 'eth_getCode search',
  'first-log': 'first log',
}

/**
 * A contract's age, trying in order what a node without archive state may still answer:
 * 1. `ots_getContractCreator` (Otterscan namespace: Anvil, Erigon, Reth) and the creation transaction's block;
 * 2. a binary search over `eth_getCode` within the blocks the node keeps state for;
 * 3. the earliest log of the contract at or before the `recentBlocks` line, by bounded `eth_getLogs`.
 * An exact answer, or a bound that decides "old", is remembered for good; anything else for `ttlMs`.
 * Never throws: a method that fails is noted in `tried` and the next one is asked.
 */
export async function contractAge(client: Client, address: Address, query: AgeQuery): Promise<ContractAge> {
  // a chain that cannot be named in time is not cached: better slow than another chain's answer
  const chain = await beforeDeadline(query.deadline, () => query.facts.chainOf(client)).catch(() => null)
  const known = chain === null ? undefined : query.facts.age(chain, address)
  if (known) {
    const decided = known.age.status === 'exact' || isRecent(known.age, query.latest, query.recentBlocks) === false
    if (decided || known.ageMs <= query.facts.options.ttlMs) return known.age
  }
  const age = await lookUpAge(client, address, query)
  if (chain !== null) query.facts.rememberAge(chain, address, age)
  return age
}

/** What one method said: an answer (exact, or a bound) or nothing, and in words either way. */
type Step = { answer?: Exclude<ContractAge, { status: 'unknown' }>; said: string }

const STEPS = [
  ['ots', byOts],
  ['code-search', byCodeSearch],
  ['first-log', byFirstLog],
] as const

async function lookUpAge(client: Client, address: Address, query: AgeQuery): Promise<ContractAge> {
  const tried: AgeAttempt[] = []
  let best: Extract<ContractAge, { status: 'bounded' }> | undefined
  for (const [method, step] of STEPS) {
    let result: Step
    try {
      result = await step(client, address, query)
    } catch (error) {
      result = {
        said: error instanceof OutOfTime ? 'no answer within the time allowed' : `refused: ${nodeSaid(error)}`,
      }
    }
    tried.push({ method, said: result.said })
    const answer = result.answer
    if (!answer) continue
    // an exact answer, or a bound that decides, ends the search; a bound that does not is kept in case nothing better comes
    if (answer.status === 'exact' || isRecent(answer, query.latest, query.recentBlocks) !== null)
      return { ...answer, tried }
    if (!best || answer.createdBy < best.createdBy) best = answer
  }
  return best ? { ...best, tried } : { status: 'unknown', tried }
}

type RawRequest = (args: { method: string; params: unknown[] }) => Promise<unknown>
/** A JSON-RPC method viem has no type for (the `ots_` namespace). */
const request = (client: Client): RawRequest => client.request as unknown as RawRequest

const creatorSchema = z
  .object({
    hash: z.string().refine((v): v is Hash => isHex(v) && v.length === 66, 'not a transaction hash'),
    creator: z.string(),
  })
  .nullable()

const exact = (createdAt: bigint, method: AgeMethod, said: string): Step => ({
  answer: { status: 'exact', createdAt, method, tried: [] },
  said,
})
const bounded = (createdBy: bigint, createdAfter: bigint | null, method: AgeMethod, said: string): Step => ({
  answer: { status: 'bounded', createdBy, createdAfter, method, tried: [] },
  said,
})

async function byOts(client: Client, address: Address, query: AgeQuery): Promise<Step> {
  const caps = query.facts.capabilities(client)
  if (!caps.ots) return { said: 'not served by this node (method not found)' }
  // half the budget at most: a node that hangs on ots_ must leave time for the eth_getCode search
  const otsDeadline = Date.now() + (query.deadline - Date.now()) / 2
  let raw: unknown
  try {
    raw = await beforeDeadline(otsDeadline, () =>
      request(client)({ method: 'ots_getContractCreator', params: [address] }),
    )
  } catch (error) {
    // only "no such method" is remembered: a timeout or a hiccup is asked again next time
    if (isMethodMissing(error)) caps.ots = false
    throw error
  }
  const parsed = creatorSchema.safeParse(raw)
  if (!parsed.success) return { said: 'answered something that is not { hash, creator }' }
  if (parsed.data === null) return { said: 'the node knows no creation transaction for it' }
  const { hash } = parsed.data
  const tx = await beforeDeadline(query.deadline, () => client.getTransaction({ hash }))
  if (tx.blockNumber === null) return { said: `its creation transaction ${hash} is not mined yet` }
  return exact(tx.blockNumber, 'ots', `created by transaction ${hash} in block ${tx.blockNumber}`)
}

/** true: code there; false: no code yet; null: the node keeps no state for that block. */
async function codeAt(client: Client, address: Address, block: bigint, deadline: number): Promise<boolean | null> {
  try {
    const code = await beforeDeadline(deadline, () => client.getCode({ address, blockNumber: block }))
    return code !== undefined && code !== '0x'
  } catch (error) {
    if (error instanceof OutOfTime) throw error
    return null
  }
}

/**
 * Binary search over eth_getCode. The block that decides (latest − recentBlocks) first: an archive
 * node answers it at once. Otherwise the oldest block the node still serves, found by bisection
 * (and remembered per endpoint): no code there means the creation lies inside the window and is
 * found exactly; code there only bounds it ("older than the window").
 */
async function byCodeSearch(client: Client, address: Address, query: AgeQuery): Promise<Step> {
  const { latest, deadline } = query
  const floor = recentFloor(latest, query.recentBlocks)
  const caps = query.facts.capabilities(client)
  const atFloor = await codeAt(client, address, floor, deadline)
  if (atFloor === true) return bounded(floor, null, 'code-search', `its code is already there at block ${floor}`)
  if (atFloor === false) return creationBetween(client, address, floor, latest, deadline)
  // the node keeps less state than the window: start where it served last time, if it still does
  if (caps.stateWindow !== undefined && caps.stateWindow < latest - floor) {
    const oldest = latest - caps.stateWindow
    const there = await codeAt(client, address, oldest, deadline)
    if (there === true) return olderThanWindow(oldest, latest)
    if (there === false) return creationBetween(client, address, oldest, latest, deadline)
  }
  // bisect (floor, latest] for the oldest served block: `refused` is not served, `served` has the code
  let refused = floor
  let served = latest
  while (served - refused > 1n) {
    const mid = (refused + served) / 2n
    const there = await codeAt(client, address, mid, deadline)
    if (there === null) refused = mid
    else if (there) served = mid
    else return creationBetween(client, address, mid, served, deadline)
  }
  if (served === latest) return { said: "the node serves no state but the latest block's" }
  caps.stateWindow = latest - served
  return olderThanWindow(served, latest)
}

const olderThanWindow = (oldest: bigint, latest: bigint): Step =>
  bounded(
    oldest,
    null,
    'code-search',
    `its code is already there at block ${oldest}, the oldest whose state the node keeps ` +
      `(${latest - oldest + 1n} blocks): older than that window, which is too short to decide`,
  )

/** No code at `absent`, code at `present`: the creation block is found by bisection (a bound if state runs out). */
async function creationBetween(
  client: Client,
  address: Address,
  absent: bigint,
  present: bigint,
  deadline: number,
): Promise<Step> {
  let lo = absent
  let hi = present
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n
    const there = await codeAt(client, address, mid, deadline).catch(() => null)
    // the window moved under the search, or time ran out: both bounds still hold
    if (there === null) return bounded(hi, lo, 'code-search', `no code at block ${lo}, code at block ${hi}`)
    if (there) hi = mid
    else lo = mid
  }
  return exact(hi, 'code-search', `no code at block ${lo}, code at block ${hi}`)
}

/** First page of the log search, in blocks; each next page is PAGE_GROWTH times larger. */
const FIRST_LOG_PAGE = 16n
const PAGE_GROWTH = 16n
const MAX_LOG_PAGES = 7

const logBlockSchema = z.array(z.object({ blockNumber: z.bigint().nullable() }).loose())

/**
 * Any log the contract emitted at or before the `recentBlocks` line proves it that old. Pages grow
 * backwards from that line (16, 256, 4096… blocks, at most 7), so a busy contract answers on a
 * small page and a quiet one is searched far back; a provider that refuses a range ends the search.
 */
async function byFirstLog(client: Client, address: Address, query: AgeQuery): Promise<Step> {
  const floor = recentFloor(query.latest, query.recentBlocks)
  let toBlock = floor
  let size = FIRST_LOG_PAGE
  for (let page = 0; page < MAX_LOG_PAGES; page++) {
    const fromBlock = toBlock >= size - 1n ? toBlock - size + 1n : 0n
    let logs: z.output<typeof logBlockSchema>
    try {
      logs = logBlockSchema.parse(
        await beforeDeadline(query.deadline, () => client.getLogs({ address, fromBlock, toBlock })),
      )
    } catch (error) {
      if (error instanceof OutOfTime) throw error
      return { said: `eth_getLogs refused blocks ${fromBlock}–${toBlock}: ${nodeSaid(error)}` }
    }
    const blocks = logs.flatMap((l) => (l.blockNumber === null ? [] : [l.blockNumber]))
    if (blocks.length > 0) {
      const first = blocks.reduce((a, b) => (b < a ? b : a))
      return bounded(first, null, 'first-log', `its earliest log found is in block ${first}`)
    }
    if (fromBlock === 0n) return { said: `no log of it in blocks 0–${floor}` }
    toBlock = fromBlock - 1n
    size *= PAGE_GROWTH
  }
  return { said: `no log of it in blocks ${toBlock + 1n}–${floor} (the search stops there)` }
}
