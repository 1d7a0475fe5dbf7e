import { getAbiItem, type Address, type Chain, type PublicClient, type Transport } from 'viem'
import { creditPoolAbi } from '@hermit/contracts'
import { createCreditTree, type CreditTree } from '@hermit/circuits'
import { ZkPayError } from './errors.ts'

type Public = PublicClient<Transport, Chain>

export type SyncedTree = {
  tree: CreditTree
  leaves: bigint[]
  tickets: bigint[]
  removed: Set<number>
  root: bigint
  block: bigint
}

/**
 * Rebuilds the pool's LeanIMT from its events (Deposited adds, Slashed and ExitRequested set the
 * leaf to 0, as the contract does), and checks the result against the on-chain root.
 */
export async function syncTree(
  publicClient: Public,
  pool: Address,
  o: { fromBlock?: bigint } = {},
): Promise<SyncedTree> {
  // cacheTime 0: a cached head could be a block behind the transaction just mined
  const toBlock = await publicClient.getBlockNumber({ cacheTime: 0 })
  const range = { address: pool, fromBlock: o.fromBlock ?? 0n, toBlock }
  const [deposits, slashes, exits] = await Promise.all([
    publicClient.getLogs({ ...range, event: getAbiItem({ abi: creditPoolAbi, name: 'Deposited' }) }),
    publicClient.getLogs({ ...range, event: getAbiItem({ abi: creditPoolAbi, name: 'Slashed' }) }),
    publicClient.getLogs({ ...range, event: getAbiItem({ abi: creditPoolAbi, name: 'ExitRequested' }) }),
  ])
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
    ...[...slashes, ...exits].map((l) => ({
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

/** LeanIMT siblings of a leaf as CreditPool.slash / requestExit take them. */
export function removalSiblings(tree: CreditTree, leafIndex: number): bigint[] {
  return tree.generateProof(leafIndex).siblings
}
