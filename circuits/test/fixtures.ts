import { poseidon1, poseidon2 } from 'poseidon-lite'
import { creditLeaf, createCreditTree, randomFieldElement, type CreditTree } from '../src/index.ts'

/** A deposit of `n` tickets with a fresh secret. */
export function deposit(n: bigint): { sk: bigint; n: bigint; leaf: bigint } {
  const sk = randomFieldElement()
  return { sk, n, leaf: creditLeaf(sk, n) }
}

/** A leaf computed without input checks, for deposits the TS helpers refuse (n >= 2^32). */
export function rawLeaf(sk: bigint, n: bigint): bigint {
  return poseidon2([poseidon1([sk]), n])
}

/** A tree of `size` random leaves with `leaf` at `at`. */
export function treeWith(leaf: bigint, size: number, at: number): CreditTree {
  const leaves = Array.from({ length: size }, () => randomFieldElement())
  leaves[at] = leaf
  return createCreditTree(leaves)
}
