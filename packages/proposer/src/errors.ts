import { HermitError } from '@hermit/errors'

export const PROPOSER_ERROR_CODES = [
  /** The words ask for something the catalogue has no action for (or not in this form, e.g. an exact-output swap). */
  'PROPOSER_UNSUPPORTED',
  /** An action's parameters do not fit its schema: a negative, absurd or malformed amount, a bad address. */
  'PROPOSER_INVALID_ACTION',
  /** No Uniswap pair or pool quotes the swap. */
  'PROPOSER_NO_ROUTE',
  /** The quote is below the least the user accepts. */
  'PROPOSER_MIN_OUT_UNREACHABLE',
  /** The user does not hold what the plan would spend. */
  'PROPOSER_INSUFFICIENT_BALANCE',
  /** A step reverted when the plan was simulated on the fork. */
  'PROPOSER_SIMULATION_FAILED',
  /** The model's plan is unusable: an unknown tool, arguments that do not fit, no action at all. Nothing is sent. */
  'PROPOSER_MODEL_INVALID',
  /** The verdict is block: the proposal can never be signed. */
  'PROPOSER_BLOCKED',
  /** The verdict is warn and the user did not confirm (yes: true). */
  'PROPOSER_NOT_CONFIRMED',
] as const
export type ProposerErrorCode = (typeof PROPOSER_ERROR_CODES)[number]

export class ProposerError extends HermitError<ProposerErrorCode> {}
