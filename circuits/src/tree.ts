import { LeanIMT, type LeanIMTMerkleProof } from '@zk-kit/lean-imt'
import { poseidon2 } from 'poseidon-lite'
import { CircuitInputError } from './errors.ts'

/** The credit circuit's maximum tree depth: up to 2^20 deposits. */
export const MAX_DEPTH = 20

export type CreditTree = LeanIMT<bigint>

/** The Merkle-proof inputs of credit.circom: `siblings` always has MAX_DEPTH entries. */
export type CircuitMerkleProof = {
  /** How many of `siblings` are real: the levels of the path that have a sibling. */
  depth: number
  /** Bit k = 1 when the path node at step k is a right child. */
  index: number
  siblings: bigint[]
}

const hash = (a: bigint, b: bigint): bigint => poseidon2([a, b])

/** A LeanIMT hashed with Poseidon(2), the tree the credit circuit proves membership in. */
export function createCreditTree(leaves: readonly bigint[] = []): CreditTree {
  return new LeanIMT<bigint>(hash, [...leaves])
}

/**
 * Pads a `@zk-kit/lean-imt` proof for the circuit. LeanIMT already leaves out the levels where
 * the node has no sibling and packs `index` to match, so its `siblings.length` is the depth the
 * circuit needs; the padding zeros only feed hashes the circuit throws away.
 */
export function toCircuitMerkleProof(proof: LeanIMTMerkleProof<bigint>): CircuitMerkleProof {
  const depth = proof.siblings.length
  if (depth > MAX_DEPTH) {
    throw new CircuitInputError('merkleProof', `has ${depth} levels, the circuit takes at most ${MAX_DEPTH}`)
  }
  const siblings = [...proof.siblings, ...Array<bigint>(MAX_DEPTH - depth).fill(0n)]
  return { depth, index: proof.index, siblings }
}

/** The circuit's Merkle inputs for the leaf at `leafIndex` of `tree`. */
export function merkleProofInputs(tree: CreditTree, leafIndex: number): CircuitMerkleProof {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= tree.size) {
    throw new CircuitInputError('leafIndex', `must be an index of the tree (0..${tree.size - 1})`)
  }
  return toCircuitMerkleProof(tree.generateProof(leafIndex))
}
