/**
 * The pool's roots as the gate knows them: followed from the pool's own events (`Deposited`,
 * `Slashed`, `ExitRequested` each carry the root after them), so a root a request names is looked
 * up in memory. A made-up root costs no RPC call; the view is refreshed at most every
 * `recheckMs`, whatever the requests say, and a "no" is never kept once a newer block is seen.
 */
import { getAbiItem, type Address } from 'viem'
import { getLogsPaged, type Reader } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import { createCreditTree, type CreditTree } from '@hermit/circuits'

const depositedEvent = getAbiItem({ abi: creditPoolAbi, name: 'Deposited' })
const slashedEvent = getAbiItem({ abi: creditPoolAbi, name: 'Slashed' })
const exitRequestedEvent = getAbiItem({ abi: creditPoolAbi, name: 'ExitRequested' })

/** One tree-changing event of the pool, in chain order; `root` is the pool's root right after it. */
export type PoolTreeEvent = {
  block: bigint
  logIndex: number
  kind: 'deposit' | 'removal'
  index: number
  leaf: bigint
  tickets: bigint
  root: bigint
}

/** The pool's tree events in `[fromBlock, toBlock]`, in chain order. */
export async function poolTreeEvents(
  publicClient: Reader,
  pool: Address,
  fromBlock: bigint,
  toBlock: bigint,
): Promise<PoolTreeEvent[]> {
  const range = { address: pool, fromBlock, toBlock }
  const [deposits, slashes, exits] = await Promise.all([
    getLogsPaged(publicClient, { ...range, event: depositedEvent }),
    getLogsPaged(publicClient, { ...range, event: slashedEvent }),
    getLogsPaged(publicClient, { ...range, event: exitRequestedEvent }),
  ])
  const events: PoolTreeEvent[] = [
    ...deposits.map((l) => ({
      block: l.blockNumber,
      logIndex: l.logIndex,
      kind: 'deposit' as const,
      index: Number(l.args.index!),
      leaf: l.args.leaf!,
      tickets: l.args.tickets!,
      root: l.args.root!,
    })),
    ...[...slashes, ...exits].map((l) => ({
      block: l.blockNumber,
      logIndex: l.logIndex,
      kind: 'removal' as const,
      index: Number(l.args.index!),
      leaf: 0n,
      tickets: 0n,
      root: l.args.root!,
    })),
  ]
  return events.sort((a, b) => (a.block === b.block ? a.logIndex - b.logIndex : a.block < b.block ? -1 : 1))
}

/**
 * The tree as it was at each of the last `count` roots before `before` (newest first), rebuilt from
 * the events: what a client proves against when the gate has not seen the newest root yet.
 */
export function earlierTrees(
  events: readonly PoolTreeEvent[],
  before: bigint,
  count: number,
): { root: bigint; tree: CreditTree; removed: Set<number> }[] {
  const ends: number[] = [] // event positions after which the root changed, newest last
  let last = 0n
  events.forEach((e, k) => {
    if (e.root !== last) ends.push(k)
    last = e.root
  })
  const at = events.findLastIndex((e) => e.root === before)
  const out: { root: bigint; tree: CreditTree; removed: Set<number> }[] = []
  for (const end of ends.filter((k) => k < (at < 0 ? events.length : at)).reverse()) {
    if (out.length >= count) break
    if (events[end]!.root === before) continue // `before` itself (a later event may have left it unchanged)
    const tree = createCreditTree()
    const removed = new Set<number>()
    for (const e of events.slice(0, end + 1)) {
      if (e.kind === 'deposit') tree.insert(e.leaf)
      else if (!removed.has(e.index)) {
        removed.add(e.index)
        tree.update(e.index, 0n)
      }
    }
    out.push({ root: events[end]!.root, tree, removed })
  }
  return out
}

export type RootTrackerOptions = {
  publicClient: Reader
  pool: Address
  /** Seconds a replaced root stays accepted (the pool's `rootWindow`). */
  rootWindow: bigint
  fromBlock?: bigint
  /** The view is refreshed at most this often (ms); a request that needs it waits for the refresh. */
  recheckMs: number
  now?: () => number
  /**
   * Runs a refresh no request waits for (the view aged while the current root was asked for). The
   * default runs it at once; the gate holds it until no call is being served, so its RPC round
   * trip does not share the cores with a call's pairing check.
   */
  background?: (task: () => void) => void
}

export type RootTracker = {
  /** Is `root` accepted right now: the pool's current root, or one replaced less than the window ago? */
  accepts(root: bigint): Promise<boolean>
  /** Live deposits (neither slashed nor exiting), as of a view at most `maxAgeMs` old. */
  liveDeposits(maxAgeMs: number): Promise<number>
  /** Refreshes so far (one RPC call each while the head stays; more when it moved) and roots kept. */
  stats(): { refreshes: number; roots: number }
}

/** Follows the pool's roots from its events; see the module comment. */
export function createRootTracker(options: RootTrackerOptions): RootTracker {
  const { publicClient, pool } = options
  const now = options.now ?? Date.now
  const window = Number(options.rootWindow)
  let next = options.fromBlock ?? 0n
  let current = 0n
  // root → the block that replaced it (null: still current) and that block's timestamp once read
  const roots = new Map<bigint, { untilBlock: bigint | null; until: number | null }>()
  const blockTime = new Map<bigint, number>()
  let deposits = 0
  const removed = new Set<number>()
  let head = -1n
  let headHash: string | undefined
  let headTs = 0 // seconds: the head block's timestamp
  let headSeenAt = Number.NEGATIVE_INFINITY // ms: when that head was first seen
  let checkedAt = Number.NEGATIVE_INFINITY // ms: when the head was last asked for
  let refreshes = 0
  let refreshing: Promise<void> | undefined

  /** The chain's time now, in seconds: the head's timestamp plus the time since it was seen. */
  const chainNow = () => headTs + (now() - headSeenAt) / 1000

  async function timestampOf(block: bigint): Promise<number> {
    let ts = blockTime.get(block)
    if (ts === undefined) {
      ts = Number((await publicClient.getBlock({ blockNumber: block })).timestamp)
      blockTime.set(block, ts)
    }
    return ts
  }

  function reset(): void {
    next = options.fromBlock ?? 0n
    current = 0n
    roots.clear()
    blockTime.clear()
    deposits = 0
    removed.clear()
    head = -1n
  }

  async function refreshOnce(): Promise<void> {
    refreshes++
    const askedAt = now()
    // one call in the steady state: the latest block's number, hash and timestamp
    const top = await publicClient.getBlock({ blockTag: 'latest' })
    const latest = top.number
    if (head >= 0n && (latest < head || (latest === head && top.hash !== headHash))) reset()
    else if (head >= 0n && latest > head) {
      // the chain may have gone back and forward again (a reorg, a devnet revert) since we read `head`
      const was = (await publicClient.getBlock({ blockNumber: head })).hash
      if (was !== headHash) reset()
    }
    if (latest !== head) {
      if (latest >= next) {
        for (const e of await poolTreeEvents(publicClient, pool, next, latest)) {
          if (e.kind === 'deposit') deposits++
          else removed.add(e.index)
          if (e.root === current) continue // e.g. a slash of an exiting deposit: the tree did not change
          const old = roots.get(current)
          if (old) old.untilBlock = e.block
          current = e.root
          if (current !== 0n) roots.set(current, { untilBlock: null, until: null })
        }
        next = latest + 1n
      }
      blockTime.set(latest, Number(top.timestamp))
      headTs = Number(top.timestamp)
      headHash = top.hash
      head = latest
      headSeenAt = askedAt
    }
    checkedAt = askedAt
    // when each replaced root was replaced, newest first; once one is past the window, all older ones are too
    const replaced = [...roots.entries()]
      .filter(([, r]) => r.untilBlock !== null)
      .sort(([, a], [, b]) => (a.untilBlock! > b.untilBlock! ? -1 : 1))
    let expired = false
    for (const [root, r] of replaced) {
      if (!expired && r.until === null) r.until = await timestampOf(r.untilBlock!)
      if (expired || r.until! + window < chainNow()) {
        expired = true
        roots.delete(root)
      }
    }
    for (const b of blockTime.keys())
      if (b < head && ![...roots.values()].some((r) => r.untilBlock === b)) blockTime.delete(b)
  }

  const refresh = (): Promise<void> => (refreshing ??= refreshOnce().finally(() => (refreshing = undefined)))
  const background = options.background ?? ((task: () => void) => task())
  // a background refresh is waiting to run: ask for one once
  let wanted = false

  /** From the view alone: the current root (while the view is younger than the window), or a replaced one still inside it. */
  function acceptedNow(root: bigint): boolean {
    const r = roots.get(root)
    if (!r) return false
    if (r.untilBlock === null) return now() - checkedAt < window * 1000
    return r.until !== null && chainNow() <= r.until + window
  }

  return {
    async accepts(root) {
      if (root === 0n) return false
      const stale = now() - checkedAt >= options.recheckMs
      if (acceptedNow(root)) {
        // the current root: a "yes" holds (it stays accepted a whole window after it is replaced)
        if (roots.get(root)!.untilBlock === null) {
          if (stale && !wanted) {
            wanted = true
            background(() => {
              wanted = false
              void refresh().catch(() => {})
            })
          }
          return true
        }
        // a replaced root: its window is counted on the chain's clock, read again if the view is old
        if (!stale) return true
      }
      // "no" is answered from a view at most recheckMs old: a root mined since then is seen then
      if (!stale && !refreshing) return false
      await refresh()
      return acceptedNow(root)
    },
    async liveDeposits(maxAgeMs) {
      if (now() - checkedAt >= maxAgeMs) await refresh()
      return deposits - removed.size
    },
    stats: () => ({ refreshes, roots: roots.size }),
  }
}
