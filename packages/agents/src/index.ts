// @hermit/agents: agents hiring agents over an ERC-8183 escrow, with ERC-8004 identity, payment-backed reputation and validation.
export {
  JOB_STATUS,
  TERMINAL,
  escrowFromDeployments,
  withWallet,
  getJob,
  createJob,
  setBudget,
  setProvider,
  fund,
  submit,
  complete,
  reject,
  claimRefund,
  attestation,
  paymentToken,
  approve,
  tokenBalance,
  bondOf,
  bondFor,
  settleExpiredBond,
  expiredBondToProvider,
  acceptJob,
  acceptanceOf,
  acceptanceTerms,
  validationRequestHash,
  jobRequestHash,
  agentOfJob,
  jobsOf,
  chainTime,
  type Escrow,
  type Job,
  type JobStatus,
  type Bond,
  type Acceptance,
} from './escrow.ts'
export {
  JOB_SERVICE,
  jobRequestSchema,
  jobServiceSchema,
  encodeJobRequest,
  parseJobRequest,
  jobServiceOf,
  escrowId,
  type JobRequest,
  type JobService,
} from './job-request.ts'
export {
  DeliverableStore,
  deliverableHash,
  fetchDeliverable,
  deliverableAuthMessage,
  checkDeliverableAuth,
  DELIVERABLE_AUTH_HEADER,
} from './deliverable.ts'
export { jobReputation, type JobReputation } from './reputation.ts'
export { ensureRegistered } from './identity.ts'
export { ProviderAgent, type ProviderOptions, type ProviderEvent, type JobHandler, type Skill } from './provider.ts'
export {
  EvaluatorAgent,
  evaluateJob,
  withModelReview,
  type Checker,
  type Verdict,
  type EvaluatorEvent,
} from './evaluator.ts'
export {
  ClientAgent,
  findProviders,
  type HireOptions,
  type HireResult,
  type HireStep,
  type Candidate,
} from './client.ts'
export { AgentError, JobRevertError, JobTimeoutError, DeliverableError, NoAgentError } from './errors.ts'
export { summarizeSkill, summaryChecks, extractiveSummary } from './skills.ts'
export { JobScanner } from './scan.ts'
