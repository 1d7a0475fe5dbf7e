import { LeanIMT, type LeanIMTMerkleProof } from '@zk-kit/lean-imt'
import { poseidon2 } from 'poseidon-lite'
import type { CircuitSignals } from 'snarkjs'
import { CircuitInputError } from './errors.ts'
import { creditLeaf } from './hashes.ts'
import {
  type ArtifactOverrides,
  type Groth16Proof,
  type ProofWithSignals,
  type VerificationKey,
  loadVerificationKey,
  proveUnchecked,
  verifyWith,
} from './prover.ts'
import { type CreditSignals, parseCreditSignals } from './signals.ts'
import { type CircuitMerkleProof, type CreditTree, toCircuitMerkleProof } from './tree.ts'
import { validateTicket } from './validate.ts'

type TicketInput = {
  /** The identity secret. */
  sk: bigint
  /** Tickets in the deposit (the leaf commits to it), below 2^32. */
  n: bigint | number
  /** Which ticket this call spends, 0 <= i < n. */
  i: bigint | number
  /** Binds the proof to one pool / chain / provider; nullifiers are per scope. */
  scope: bigint
  /** The message this proof is bound to, e.g. messageX(request); not 0. */
  x: bigint
}

/** What proveCredit needs: the ticket, and either the whole tree or a LeanIMT proof of the leaf. */
export type CreditProofInput = TicketInput & ({ tree: CreditTree } | { merkleProof: LeanIMTMerkleProof<bigint> })

export type CreditProof = ProofWithSignals & { y: bigint; nullifier: bigint; root: bigint }

/** The raw signals of credit.circom, unchecked: a test can hand the circuit anything. */
export function creditCircuitInput(v: {
  sk: bigint
  n: bigint
  i: bigint
  scope: bigint
  x: bigint
  root: bigint
  merkle: CircuitMerkleProof
}): CircuitSignals {
  return {
    sk: v.sk.toString(),
    n: v.n.toString(),
    i: v.i.toString(),
    depth: v.merkle.depth.toString(),
    index: v.merkle.index.toString(),
    siblings: v.merkle.siblings.map(String),
    root: v.root.toString(),
    scope: v.scope.toString(),
    x: v.x.toString(),
  }
}

function leafProof(input: CreditProofInput, leaf: bigint): LeanIMTMerkleProof<bigint> {
  if ('tree' in input) {
    const index = input.tree.indexOf(leaf)
    if (index < 0) throw new CircuitInputError('tree', 'does not contain the leaf Poseidon(Poseidon(sk), n)')
    return input.tree.generateProof(index)
  }
  const proof = input.merkleProof
  if (proof.leaf !== leaf)
    throw new CircuitInputError('merkleProof', 'is for another leaf than Poseidon(Poseidon(sk), n)')
  if (!LeanIMT.verifyProof(proof, (a, b) => poseidon2([a, b]))) {
    throw new CircuitInputError('merkleProof', 'does not lead to its root')
  }
  return proof
}

/**
 * Proves that ticket `i` of a deposit in the tree pays for message `x` in `scope`. Inputs are
 * checked first (typed errors name the bad field); the proof uses the committed wasm and zkey.
 */
export async function proveCredit(input: CreditProofInput, artifacts: ArtifactOverrides = {}): Promise<CreditProof> {
  const { sk, n, i, scope, x } = validateTicket(input)
  const proof = leafProof(input, creditLeaf(sk, n))
  const merkle = toCircuitMerkleProof(proof)
  const result = await proveUnchecked(
    'credit',
    creditCircuitInput({ sk, n, i, scope, x, root: proof.root, merkle }),
    artifacts,
  )
  const { y, nullifier, root } = parseCreditSignals(result.publicSignals)
  return { ...result, y, nullifier, root }
}

/** Verifies a credit proof against the committed verification key (or `vkey`). */
export async function verifyCredit(
  proof: Groth16Proof,
  publicSignals: readonly string[],
  vkey?: VerificationKey,
): Promise<boolean> {
  return verifyWith(vkey ?? loadVerificationKey('credit'), proof, publicSignals)
}

export type { CreditSignals }
