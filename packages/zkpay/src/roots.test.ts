import { describe, expect, it } from 'vitest'
import { createCreditTree } from '@hermit/circuits'
import { earlierTrees, type PoolTreeEvent } from './roots.ts'

/** The events of deposits of `leaves`, then removals of `removed`, each with the root the pool would emit. */
function events(leaves: bigint[], removed: number[] = []): PoolTreeEvent[] {
  const tree = createCreditTree()
  const out: PoolTreeEvent[] = []
  let block = 1n
  for (const [index, leaf] of leaves.entries()) {
    tree.insert(leaf)
    out.push({ block: block++, logIndex: 0, kind: 'deposit', index, leaf, tickets: 2n, root: tree.root })
  }
  for (const index of removed) {
    tree.update(index, 0n)
    out.push({ block: block++, logIndex: 0, kind: 'removal', index, leaf: 0n, tickets: 0n, root: tree.root })
  }
  return out
}

describe('earlierTrees: the trees a client proves against when the gate has not seen the newest root', () => {
  it('rebuilds the trees of the roots before a given one, newest first, removals included', () => {
    const all = events([11n, 22n, 33n], [0])
    const [, second, third, removal] = all as [PoolTreeEvent, PoolTreeEvent, PoolTreeEvent, PoolTreeEvent]
    const trees = earlierTrees(all, removal.root, 2)
    expect(trees.map((t) => t.root)).toEqual([third.root, second.root])
    expect(trees[0]!.tree.size).toBe(3)
    expect(trees[1]!.tree.size).toBe(2)
    expect(trees[0]!.removed.size).toBe(0)
    // before a root that a later event left unchanged (a slash of an exiting deposit emits the same root)
    const unchanged = [...all, { ...removal, block: removal.block + 1n }]
    expect(earlierTrees(unchanged, removal.root, 1).map((t) => t.root)).toEqual([third.root])
    // the tree after the removal, seen from before nothing: the removal is replayed
    expect(earlierTrees(all, 999n, 1)).toMatchObject([{ root: removal.root, removed: new Set([0]) }])
  })
})
