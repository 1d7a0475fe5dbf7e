import { readFileSync } from 'node:fs'
import * as snarkjs from 'snarkjs'
import type { CircuitSignals, Groth16Proof, VerificationKey } from 'snarkjs'
import { WitnessError } from './errors.ts'
import { type CircuitArtifacts, type CircuitName, artifactPaths } from './paths.ts'

export type { Groth16Proof, VerificationKey } from 'snarkjs'

/** A Groth16 proof and its public signals as snarkjs writes them (decimal strings). */
export type ProofWithSignals = { proof: Groth16Proof; publicSignals: string[] }

/** Paths to override the committed artifacts (tests, another build). */
export type ArtifactOverrides = Partial<CircuitArtifacts>

/**
 * Proves with snarkjs, no input checks: the circuit's own constraints are the only judge.
 * Used by the checked provers and by the tests that make sure the circuit rejects bad inputs.
 */
export async function proveUnchecked(
  circuit: CircuitName,
  input: CircuitSignals,
  artifacts: ArtifactOverrides = {},
): Promise<ProofWithSignals> {
  const paths = { ...artifactPaths(circuit), ...artifacts }
  try {
    return await snarkjs.groth16.fullProve(input, paths.wasm, paths.zkey)
  } catch (error) {
    throw asWitnessError(circuit, error)
  }
}

/**
 * Computes the witness only (no proof, no curve workers): fails exactly when proving would,
 * since circom's witness calculator asserts every `===` constraint. Cheap enough to run many.
 */
export async function calculateWitness(
  circuit: CircuitName,
  input: CircuitSignals,
  artifacts: ArtifactOverrides = {},
): Promise<void> {
  const paths = { ...artifactPaths(circuit), ...artifacts }
  try {
    await snarkjs.wtns.calculate(input, paths.wasm, { type: 'mem' })
  } catch (error) {
    throw asWitnessError(circuit, error)
  }
}

// circom's witness calculator throws a plain Error ("Assert Failed. Error in template ...")
// for an unmet constraint, and "Not enough values" / "Too many values" for a missing signal.
function asWitnessError(circuit: CircuitName, error: unknown): unknown {
  if (
    error instanceof Error &&
    /Assert Failed|Error in template|Not enough values|Too many values|Signal not found/i.test(error.message)
  ) {
    return new WitnessError(circuit, { cause: error })
  }
  return error
}

const vkeys = new Map<string, VerificationKey>()

/** The verification key of a circuit (the committed one unless `path` says otherwise), cached. */
export function loadVerificationKey(circuit: CircuitName, path: string = artifactPaths(circuit).vkey): VerificationKey {
  let vkey = vkeys.get(path)
  if (vkey === undefined) {
    vkey = JSON.parse(readFileSync(path, 'utf8')) as VerificationKey
    vkeys.set(path, vkey)
  }
  return vkey
}

/** Groth16 verification; a malformed proof or wrong number of signals is `false`, not an exception. */
export async function verifyWith(
  vkey: VerificationKey,
  proof: Groth16Proof,
  publicSignals: readonly string[],
): Promise<boolean> {
  if (publicSignals.length !== vkey.nPublic) return false
  try {
    return await snarkjs.groth16.verify(vkey, publicSignals, proof)
  } catch {
    return false
  }
}

type TerminableCurve = { terminate(): Promise<void> }

/**
 * Stops snarkjs's worker threads. ffjavascript builds the bn128 curve once with a pool of
 * workers and keeps it in `globalThis.curve_bn128`; until it is terminated node cannot exit.
 * Safe to call when no proof was made, and proving again afterwards builds a new curve.
 */
export async function terminateProver(): Promise<void> {
  const holder = globalThis as { curve_bn128?: TerminableCurve | null }
  const curve = holder.curve_bn128
  if (curve) await curve.terminate()
}
