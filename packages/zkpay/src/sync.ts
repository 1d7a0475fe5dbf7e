import { getAbiItem, type Address } from 'viem'
import { getLogsPaged, type Reader } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import { createCreditTree, type CreditTree } from '@hermit/circuits'
import { ZkPayError } from './errors.ts'

export type SyncedTree = {
  tree: CreditTree
  leaves: bigint[]
  tickets: bigint[]
  removed: Set<number>
  root: bigint
  block: bigint
}

const depositedEvent = getAbiItem({ abi: creditPoolAbi, name: 'Deposited' })
const slashedEvent = getAbiItem({ abi: creditPoolAbi, name: 'Slashed' })
const exitRequestedEvent = getAbiItem({ abi: creditPoolAbi, name: 'ExitRequested' })

/** The pool's tree events in a block range: deposits add a leaf, slashes and exit requests set one to 0. */
async function treeEvents(publicClient: Reader, pool: Address, fromBlock: bigint, toBlock: bigint) {
  const range = { address: pool, fromBlock, toBlock }
  const [deposits, slashes, exits] = await Promise.all([
    getLogsPaged(publicClient, { ...range, event: depositedEvent }),
    getLogsPaged(publicClient, { ...range, event: slashedEvent }),
    getLogsPaged(publicClient, { ...range, event: exitRequestedEvent }),
  ])
  return { deposits, removals: [...slashes, ...exits] }
}

/**
 * Rebuilds the pool's LeanIMT from its events (Deposited adds, Slashed and ExitRequested set the
 * leaf to 0, as the contract does), and checks the result against the on-chain root.
 */
export async function syncTree(
  publicClient: Reader,
  pool: Address,
  options: { fromBlock?: bigint } = {},
): Promise<SyncedTree> {
  // cacheTime 0: a cached head could be a block behind the transaction just mined
  const toBlock = await publicClient.getBlockNumber({ cacheTime: 0 })
  const { deposits, removals } = await treeEvents(publicClient, pool, options.fromBlock ?? 0n, toBlock)
  type Ev = { order: [bigint, number]; apply: () => void }
  const leaves: bigint[] = []
  const tickets: bigint[] = []
  const removed = new Set<number>()
  const tree = createCreditTree()
  const events: Ev[] = [
    ...deposits.map((l) => ({
      order: [l.blockNumber, l.logIndex] as [bigint, number],
      apply: () => {
        leaves.push(l.args.leaf!)
        tickets.push(l.args.tickets!)
        tree.insert(l.args.leaf!)
      },
    })),
    ...removals.map((l) => ({
      order: [l.blockNumber, l.logIndex] as [bigint, number],
      apply: () => {
        const i = Number(l.args.index!)
        if (removed.has(i)) return // slashed while already exiting: the leaf is gone already
        removed.add(i)
        tree.update(i, 0n)
      },
    })),
  ]
  events.sort((a, b) => (a.order[0] === b.order[0] ? a.order[1] - b.order[1] : a.order[0] < b.order[0] ? -1 : 1))
  for (const e of events) e.apply()
  const onChain = await publicClient.readContract({
    address: pool,
    abi: creditPoolAbi,
    functionName: 'currentRoot',
    blockNumber: toBlock,
  })
  const root = leaves.length === 0 ? 0n : tree.root
  if (root !== onChain)
    throw new ZkPayError('ZKPAY_TREE_MISMATCH', `Rebuilt tree root ${root} differs from the pool's ${onChain}.`, {
      hint: 'Sync from the pool deployment block (fromBlock).',
    })
  return { tree, leaves, tickets, removed, root, block: toBlock }
}

/** The anonymity set of a synced tree: its live leaves (deposited, neither slashed nor exiting). */
export function liveLeaves(tree: Pick<SyncedTree, 'leaves' | 'removed'>): number {
  return tree.leaves.length - tree.removed.size
}

/**
 * Counts a pool's live deposits (the leaves a proof hides among: deposited, neither slashed nor
 * exiting) from the same events `syncTree` reads, without building the tree. Incremental: each
 * call scans only the blocks since the last one. Concurrent calls share one scan.
 */
export function liveDepositCounter(
  publicClient: Reader,
  pool: Address,
  options: { fromBlock?: bigint } = {},
): () => Promise<number> {
  let next = options.fromBlock ?? 0n
  let deposits = 0
  const removed = new Set<bigint>()
  let scanning: Promise<number> | undefined
  const scan = async (): Promise<number> => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 })
    if (head >= next) {
      const found = await treeEvents(publicClient, pool, next, head)
      deposits += found.deposits.length
      for (const l of found.removals) removed.add(l.args.index!)
      next = head + 1n
    }
    return deposits - removed.size
  }
  return () => (scanning ??= scan().finally(() => (scanning = undefined)))
}

/**
 * LeanIMT siblings of a leaf (its Merkle path). CreditPool keeps every node of its tree: `slash`
 * ignores the siblings it is passed (an argument kept for older callers) and `requestExit` takes
 * none, so a path that a later transaction made stale no longer makes either revert.
 */
export function removalSiblings(tree: CreditTree, leafIndex: number): bigint[] {
  return tree.generateProof(leafIndex).siblings
}
