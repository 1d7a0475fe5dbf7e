/**
 * @hermit/erc8004: typed viem actions over the ERC-8004 identity, reputation and validation
 * registries, and the registration and feedback files they point at (zod-checked). Reputation
 * counts only feedback backed by a real payment; registry reverts come back as @hermit/chain's
 * ContractRevertError with the registry's reason.
 */
export { verifyDomainProofs, type DomainProof } from './domain.ts'
export { KNOWN_REGISTRIES, registriesFromDeployments, type Erc8004Client, type Registries } from './client.ts'
export {
  REGISTRATION_TYPE,
  registrationFileSchema,
  feedbackFileSchema,
  proofOfPaymentSchema,
  serviceSchema,
  agentRegistryIdSchema,
  formatAgentRegistry,
  parseAgentRegistry,
  parseRegistrationFile,
  normalizeRegistrationFile,
  parseFeedbackFile,
  clientAddressOf,
  type RegistrationFile,
  type RegistrationFileInput,
  type FeedbackFile,
  type ProofOfPayment,
  type Service,
} from './schemas.ts'
export {
  fetchUri,
  fetchJson,
  toDataUri,
  dataUriStore,
  storeJson,
  uriOptionsSchema,
  type UriOptions,
  type FileStore,
} from './uri.ts'
export {
  registerAgent,
  setAgentURI,
  updateRegistration,
  setMetadata,
  getMetadata,
  signAgentWallet,
  setAgentWallet,
  unsetAgentWallet,
  getAgentWallet,
  ownerOf,
  getAgent,
  findAgents,
  watchRegistrations,
  agentRegistryOf,
  isAuthorizedOrOwner,
  type AgentInfo,
  type AgentFilter,
  type MetadataEntry,
} from './identity.ts'
export {
  giveFeedback,
  buildFeedbackFile,
  revokeFeedback,
  appendResponse,
  readFeedback,
  readAllFeedback,
  getSummary,
  getClients,
  getLastIndex,
  getResponseCount,
  summarize,
  feedbackHistory,
  verifyPaymentProof,
  reputationOf,
  type Feedback,
  type FeedbackRecord,
  type GiveFeedbackArgs,
  type PaymentCheck,
  type Reputation,
  type ReputationOptions,
  type Summary,
} from './reputation.ts'
export {
  requestValidation,
  respondToValidation,
  validationStatus,
  validationSummary,
  agentValidations,
  validatorRequests,
  waitForValidation,
  type ValidationStatus,
} from './validation.ts'
export {
  Erc8004Error,
  AgentUriError,
  Erc8004FileError,
  ValidationTimeoutError,
  ERC8004_ERROR_CODES,
  type Erc8004ErrorCode,
} from './errors.ts'
export { registryLogs, watchRegistryEvent, type RegistryName, type RegistryEventName } from './events.ts'
export { registryVersions, checkRegistries } from './registries.ts'
