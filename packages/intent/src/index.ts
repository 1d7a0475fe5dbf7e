/**
 * @hermit/intent: the user's words → a typed `Intent` → `Constraints` the simulated effects must
 * satisfy. One reading, shared by the verifier and the proposer: a deterministic parser, a model
 * reader that the parser cross-checks (the stricter reading wins), and resolution of names,
 * symbols and amounts through the user's address book, token list and the chain.
 */
export {
  intentSchema,
  amountSchema,
  assetSchema,
  decimalSchema,
  partySchema,
  priceSchema,
  tokenIdSchema,
  ADMIN_CHANGES,
  INTENT_ACTIONS,
  type Intent,
  type IntentAction,
  type IntentOf,
  type AdminChange,
  type Amount,
  type Price,
} from './intent.ts'
export { parseIntent } from './parse.ts'
export {
  resolveIntent,
  normalizeName,
  type AssetRef,
  type ResolvedAsset,
  type ResolvedParty,
  type ResolvedPrice,
  type ResolvedIntent,
  type ResolveContext,
} from './resolve.ts'
export { chainFacts, ENS_REGISTRY, type ChainFacts, type ChainFactsOptions, type TokenStandard } from './chain.ts'
export { constraintsOf, looser, looserReason, stricter, sameAsset, type Constraints } from './constraints.ts'
export { compareReadings, symbolicContext, SYMBOLIC_USER, type ReadingComparison } from './symbolic.ts'
export { readIntent, intentPrompt, type ReadIntentOptions, type IntentReading } from './model.ts'
export { describeIntent, intentSummary } from './describe.ts'
export {
  IntentError,
  ResolveError,
  IntentModelError,
  INTENT_ERROR_CODES,
  type IntentErrorCode,
} from './errors.ts'
export {
  KIND_ACTIONS,
  type KindAction,
} from './kinds/schemas.ts'
export { durationWords, DEFAULT_ESCROW_NAME, type ResolvedKind } from './kinds/logic.ts'
