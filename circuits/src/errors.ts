import { HermitError, type HermitErrorOptions } from '@hermit/errors'

export const CIRCUIT_ERROR_CODES = [
  'CIRCUIT_ARTIFACTS_STALE',
  'CIRCUIT_CIRCOM_FAILED',
  'CIRCUIT_INPUT_INVALID',
  'CIRCUIT_PACKAGE_NOT_FOUND',
  'CIRCUIT_PUBLIC_SIGNALS_CHANGED',
  'CIRCUIT_SAME_X',
  'CIRCUIT_VERIFIER_TEMPLATE_CHANGED',
  'CIRCUIT_WITNESS_FAILED',
] as const
export type CircuitErrorCode = (typeof CIRCUIT_ERROR_CODES)[number]

/** Base of every error thrown by `@hermit/circuits`. */
export class CircuitError extends HermitError<CircuitErrorCode> {}

/** A prover input that the circuit would reject (or that would leak the secret); names the field. */
export class CircuitInputError extends CircuitError {
  constructor(field: string, problem: string, options: HermitErrorOptions = {}) {
    super('CIRCUIT_INPUT_INVALID', `Invalid circuit input \`${field}\`: ${problem}.`, {
      details: { field },
      ...options,
    })
  }
}

/** Witness generation failed: some constraint of the circuit does not hold for these inputs. */
export class WitnessError extends CircuitError {
  constructor(circuit: string, options: HermitErrorOptions = {}) {
    super('CIRCUIT_WITNESS_FAILED', `The ${circuit} circuit rejected its inputs (a constraint does not hold).`, {
      hint: 'Check that the leaf is in the tree with this root, that i < n < 2^32, and that the Merkle proof matches the tree.',
      details: { circuit },
      ...options,
    })
  }
}

/** Two shares with the same x cannot be solved for the secret (the line is not determined). */
export class SameXError extends CircuitError {
  constructor() {
    super('CIRCUIT_SAME_X', 'Cannot recover the secret from two shares with the same x.', {
      hint: 'Two shares of one ticket with the same message are the same point; a double spend needs two different messages.',
    })
  }
}

/** The committed artifacts no longer match the circuit sources (or are missing). */
export class ArtifactsMismatchError extends CircuitError {
  constructor(problems: readonly string[], options: HermitErrorOptions = {}) {
    super(
      'CIRCUIT_ARTIFACTS_STALE',
      `The circuit artifacts do not match their sources:\n  - ${problems.join('\n  - ')}`,
      {
        hint: 'Rebuild them: `cd circuits && node --import tsx build.ts` (a few minutes), then commit circuits/artifacts/ and contracts/src/zk/.',
        details: { problems },
        ...options,
      },
    )
  }
}

/** A step of `circuits/build.ts` failed. */
export class CircuitBuildError extends CircuitError {}
