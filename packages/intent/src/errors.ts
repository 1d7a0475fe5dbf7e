import { HermitError } from '@hermit/errors'

export const INTENT_ERROR_CODES = [
  /** Two tokens, or two address-book entries, answer to the same word. */
  'INTENT_AMBIGUOUS',
  /** A name that is neither in the address book nor an address. */
  'INTENT_UNKNOWN_NAME',
  /** A token symbol that neither the user's token list nor the chain knows. */
  'INTENT_UNKNOWN_TOKEN',
  /** An ENS name on a chain without ENS (the devnet, most L2 forks). */
  'INTENT_ENS_UNAVAILABLE',
  /** An ENS name that does not resolve. */
  'INTENT_ENS_NOT_FOUND',
  /** A token contract that does not answer `decimals()` (or the standard it was used as). */
  'INTENT_TOKEN_UNREADABLE',
  /** An amount that does not fit the token's decimals ("0.0000001" of a 6-decimals token). */
  'INTENT_AMOUNT_INVALID',
  /** An intent object that does not fit the schema (from a caller, never from the parser). */
  'INTENT_INVALID',
  /** The model's reading did not fit the schema after its retry. */
  'INTENT_MODEL_INVALID_OUTPUT',
  /** The model could not be reached or failed. */
  'INTENT_MODEL_FAILED',
] as const
export type IntentErrorCode = (typeof INTENT_ERROR_CODES)[number]

export class IntentError extends HermitError<IntentErrorCode> {}

/** A word in the intent that cannot be turned into one address or one amount; the hint says what to add. */
export class ResolveError extends IntentError {}

/** The model's reading could not be used; the deterministic reading stands. */
export class IntentModelError extends IntentError {}
