/**
 * @hermit/agents: agents hiring agents over an ERC-8183 escrow. A client finds providers by their
 * ERC-8004 registration and payment-backed job reputation, funds a job, and an evaluator checks
 * the hash-committed deliverable; Hermit's job hook holds the provider's bond and writes feedback
 * and validation on-chain. Every runtime reads its state from the chain, so it survives restarts.
 */

// the agents
export { ProviderAgent } from './provider/agent.ts'
export type {
  ProviderOptions,
  ProviderEvent,
  Skill,
  SkillHandler,
  SkillContext,
  JobContext,
  OneShotContext,
  OneShotGate,
} from './provider/types.ts'
export { EvaluatorAgent, withModelReview, type Checker, type Evaluation, type EvaluatorEvent } from './evaluator.ts'
export {
  ClientAgent,
  findProviders,
  noCandidate,
  type HireOptions,
  type HireResult,
  type HireStep,
  type FollowOptions,
  type Candidate,
} from './client.ts'
export { summarizeSkill, summaryChecks } from './skills.ts'
export { jobReputation, type JobReputation } from './reputation.ts'

// the escrow and its hook, one call each
export { escrowFromDeployments, withWallet, chainTime, type Escrow, type TokenUnit } from './handle.ts'
export {
  getJob,
  createJob,
  setBudget,
  setProvider,
  fundJob,
  submitWork,
  completeJob,
  rejectJob,
  claimRefund,
  type Job,
  type JobStatus,
  type Score,
} from './escrow.ts'
export {
  acceptJob,
  recordedAcceptance,
  lockedBond,
  requiredBond,
  expiredBondToProvider,
  settleExpiredBond,
  validationRequestHash,
  jobRequestHash,
  type Acceptance,
  type Bond,
} from './hook.ts'
export { paymentToken, paymentUnit, showTokenAmount, approvePaymentToken, tokenBalance } from './token.ts'
export { jobsOf, type JobRole } from './scan.ts'

// what travels between agents
export {
  JOB_SERVICE,
  encodeJobRequest,
  parseJobRequest,
  escrowId,
  type JobRequest,
  type JobService,
} from './job-request.ts'
export { deliverableHash, fetchDeliverable, deliverableAuthMessage, DELIVERABLE_AUTH_HEADER } from './deliverable.ts'

export {
  AgentError,
  JobTimeoutError,
  DeliverableError,
  NoAgentError,
  AGENTS_ERROR_CODES,
  type AgentsErrorCode,
} from './errors.ts'
