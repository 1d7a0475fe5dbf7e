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
export { decodeCall, flattenCalls, type DecodedCall, type DecodeOptions } from './decode.ts'
export { simulateTransaction, simulateFollowUps, type Simulation, type Frame, type SimulatedTx } from './simulate.ts'
export {
  extractEffects,
  balanceChanges,
  type Effects,
  type Approval,
  type Transfer,
  type Asset,
  type AuthorityChange,
  type BalanceChange,
} from './effects.ts'
export { summarizeTypedData, type TypedDataSummary } from './typed-data.ts'
export { parseIntent, type ParsedIntent } from './intent.ts'
export { rules, runRules, looksAlike } from './rules/index.ts'
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
export { judge, judgementSchema, buildJudgePrompt, quoteUntrusted, stricter, type Judgement } from './judge.ts'
export { formatReport, reportToJson, verdictOf, type Report, type AssetChangeRow, type ModelReport } from './report.ts'
export { knownAbis } from './abis.ts'
export { selectorTableSize } from './selectors.ts'
export { startGuardProxy, type GuardProxy, type GuardProxyOptions } from './proxy.ts'
export { TxGuardError, RequestInvalidError, SimulationError } from './errors.ts'
