import type { CircuitSignals } from 'snarkjs'
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
import { requireField, requireUint32 } from './field.ts'
import { addressToField, requireSecret } from './validate.ts'

export type ExitProofInput = {
  sk: bigint
  n: bigint | number
  /** Who receives the stake: a 0x address or its value as a bigint. */
  recipient: bigint | `0x${string}`
  /** The deposit's exit scope (`CreditPool.exitScope(index)`: chain, pool, deposit index): the proof is good for that deposit only. */
  scope: bigint
}

export type ExitProof = ProofWithSignals & { leaf: bigint; recipient: bigint; scope: bigint }

/** The raw signals of exit.circom, unchecked. */
export function exitCircuitInput(v: {
  sk: bigint
  n: bigint
  leaf: bigint
  recipient: bigint
  scope: bigint
}): CircuitSignals {
  return {
    sk: v.sk.toString(),
    n: v.n.toString(),
    leaf: v.leaf.toString(),
    recipient: v.recipient.toString(),
    scope: v.scope.toString(),
  }
}

/** Proves knowledge of (sk, n) behind the leaf Poseidon(Poseidon(sk), n), for `recipient`, good only where `scope` is required (one deposit of one pool). */
export async function proveExit(input: ExitProofInput, artifacts: ArtifactOverrides = {}): Promise<ExitProof> {
  const sk = requireSecret(input.sk)
  const n = requireUint32('n', input.n)
  const recipient = addressToField(input.recipient)
  const scope = requireField('scope', input.scope)
  const leaf = creditLeaf(sk, n)
  const result = await proveUnchecked('exit', exitCircuitInput({ sk, n, leaf, recipient, scope }), artifacts)
  return { ...result, leaf, recipient, scope }
}

/** Verifies an exit proof against the committed verification key (or `vkey`). */
export async function verifyExit(
  proof: Groth16Proof,
  publicSignals: readonly string[],
  vkey?: VerificationKey,
): Promise<boolean> {
  return verifyWith(vkey ?? loadVerificationKey('exit'), proof, publicSignals)
}
