/**
 * @hermit/txguard: check what a dapp asks you to sign before you sign it. `verify` decodes the
 * request, simulates it on a devnet or fork (nothing is sent), reads its real effects, runs
 * deterministic rules over them and, when a model is configured, asks it for a judgement that may
 * only raise the verdict. The steps (`decodeCall`, `simulateTransaction`, `extractEffects`,
 * `summarizeTypedData`) are exported for callers that need one of them alone; `rules` and the rule
 * types let a caller add rules of its own.
 */
export { verify, type VerifyOptions } from './verify.ts'
export {
  parseRequest,
  txRequestSchema,
  typedDataRequestSchema,
  rawSignRequestSchema,
  type VerifyRequest,
  type VerifyRequestInput,
  type TxRequest,
  type TypedDataRequest,
  type RawSignRequest,
} from './request.ts'
export { decodeCall, type DecodedCall, type DecodeOptions } from './decode.ts'
export { simulateTransaction, type Simulation, type Frame, type SimulatedTx } from './simulate.ts'
export {
  extractEffects,
  type Effects,
  type Approval,
  type Transfer,
  type Asset,
  type AuthorityChange,
  type BalanceChange,
} from './effects.ts'
export { summarizeTypedData, type TypedDataSummary } from './typed-data.ts'
export { rules } from './rules/index.ts'
export {
  policySchema,
  type Policy,
  type PolicyInput,
  type Finding,
  type Rule,
  type RuleContext,
  type Severity,
  type Verdict,
  type AccountInfo,
  type TokenInfo,
} from './context.ts'
export type { Judgement } from './judge.ts'
export {
  contractAge,
  describeAge,
  isRecent,
  type ContractAge,
  type AgeMethod,
  type AgeAttempt,
  type AgeQuery,
} from './age.ts'
export {
  contractActivity,
  describeActivity,
  isActive,
  ACTIVITY_CAP,
  type ContractActivity,
  type ActivityQuery,
} from './activity.ts'
export {
  ContractFacts,
  contractFactsOptionsSchema,
  sharedContractFacts,
  type ContractFactsOptions,
  type EndpointCapabilities,
} from './facts.ts'
export { SigningRecord, type RecordEntry } from './record.ts'
export {
  chainHistory,
  counterpartyHistory,
  HISTORY_BLOCKS,
  type ChainHistory,
  type CounterpartyHistory,
  type PeerSummary,
} from './history.ts'
export type { Constraints, AssetRef, IntentReading } from './constraints.ts'
export { formatReport, reportToJson, type Report, type AssetChangeRow, type ModelReport } from './report.ts'
export { startGuardProxy, type GuardProxy, type GuardProxyOptions, type GuardCheck } from './proxy.ts'
export {
  TxGuardError,
  RequestInvalidError,
  SimulationError,
  TXGUARD_ERROR_CODES,
  type TxGuardErrorCode,
} from './errors.ts'
