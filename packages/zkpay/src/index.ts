export { ZkIdentity, saveKeystore, loadKeystore, type KeystoreOptions } from './identity.ts'
export { TicketStore, type TicketState } from './tickets.ts'
export {
  deployCreditPool,
  readPool,
  depositToPool,
  prepareDeposit,
  isKnownRoot,
  zkInfraFromDeployments,
  type PoolConfig,
  type PoolInfo,
  type ZkInfra,
} from './pool.ts'
export { syncTree, removalSiblings, type SyncedTree } from './sync.ts'
export {
  SCHEME,
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  HEADER_RESPONSE,
  HEADER_PREVERIFY,
  MAX_HEADER_BYTES,
  requestBinding,
  encodeHeader,
  decodeHeader,
  paymentRequiredSchema,
  paymentPayloadSchema,
  paymentResponseSchema,
  preverifyPayloadSchema,
  requirementsSchema,
  type PaymentRequired,
  type PaymentRequirements,
  type PaymentPayload,
  type PreverifyPayload,
  type PaymentResponse,
} from './protocol.ts'
export { createZkPayClient, type ZkPayClient, type ZkPayClientOptions, type PaidResponse } from './client.ts'
export {
  createZkPayGate,
  type ZkPayGate,
  type ZkPayGateOptions,
  type PaidHandler,
  type PaidRequest,
  type GateEvent,
} from './server.ts'
export { SqliteNullifierStore, type NullifierStore, type ClaimResult, type StoredResponse } from './store.ts'
export { ProofVerifierPool, type VerifierOptions } from './verifier.ts'
export { ZkPayError, KeystoreError, TicketError, PaymentError } from './errors.ts'
export { writeFileAtomic } from './fsutil.ts'
