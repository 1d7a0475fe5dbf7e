/**
 * @hermit/proposer: words → a plan of catalogue actions → each step simulated in sequence on a fork
 * and checked by txguard with the user's words → (only then) signed and sent. Hermit builds every
 * call with viem; a model, when configured, only reads the words.
 */
export {
  actionSchema,
  addressSchema,
  unitsSchema,
  buildCall,
  parseAction,
  ABSURD,
  ACTION_KINDS,
  V3_FEES,
  type Action,
  type ActionInput,
  type ActionKind,
  type Call,
} from './actions.ts'
export {
  planIntent,
  DEFAULT_SLIPPAGE_BPS,
  DEADLINE_SECONDS,
  type Plan,
  type PlanOptions,
  type Protocols,
  type Step,
} from './plan.ts'
export {
  propose,
  planWords,
  gasLimit,
  protocolBook,
  SWAP_GAS_MARGIN_PERCENT,
  SWAP_GAS_EXTRA,
  type Proposal,
  type ProposedStep,
  type ProposeOptions,
} from './propose.ts'
export { planWithModel, type ModelPlanOptions } from './model.ts'
export { ProposerError, PROPOSER_ERROR_CODES, type ProposerErrorCode } from './errors.ts'
export {
  sendProposal,
  resumeJournal,
  readJournal,
  assertSendable,
  type SendOptions,
  type SendResult,
  type SentStep,
  type EffectDifference,
  type JournalEntry,
} from './send.ts'
export { createProposer, type Proposer } from './proposer.ts'
export { ForkPool, type ForkHead, type ForkUse } from './fork.ts'
export {
  planSafe,
  splitSafeWords,
  type SafePlanOptions,
  type SafeProposal,
  type SafeSignature,
  type SafeWords,
} from './safe.ts'
export { safeExecSchema, preValidatedSignature, buildSafeExec, type SafeExecAction } from './safe-action.ts'
export {
  catalogueBook,
  catalogueFromDeployments,
  depositNonceOf,
  type CatalogueOptions,
} from './catalogue/plan.ts'
export { parseUserAbi, readAbiFile, pickFunction, typedArgs, type UserAbi } from './catalogue/abi.ts'
