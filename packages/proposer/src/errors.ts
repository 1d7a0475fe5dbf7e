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
  /** The words name a Safe that is not one (no Safe code at the address), or "my safe" with none configured. */
  'PROPOSER_SAFE_UNKNOWN',
  /** The proposing account is not an owner of the Safe the words name. */
  'PROPOSER_SAFE_NOT_OWNER',
  /** A Safe transaction that still needs other owners' signatures: nothing to send yet. */
  'PROPOSER_SAFE_NEEDS_SIGNATURES',
  /** The ABI file given for a generic call is not JSON, or not an ABI. */
  'PROPOSER_ABI_INVALID',
  /** A generic call names a function the user's ABI does not have (or cannot tell apart). */
  'PROPOSER_UNKNOWN_FUNCTION',
  /** A generic call's arguments do not fit the function: wrong count, type or range, or value to a non-payable one. */
  'PROPOSER_BAD_ARGUMENTS',
  /** The verdict is block: the proposal can never be signed. */
  'PROPOSER_BLOCKED',
  /** The verdict is warn and the user did not confirm (yes: true). */
  'PROPOSER_NOT_CONFIRMED',
] as const
export type ProposerErrorCode = (typeof PROPOSER_ERROR_CODES)[number]

export class ProposerError extends HermitError<ProposerErrorCode> {}
