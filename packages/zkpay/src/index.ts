/**
 * @hermit/zkpay: anonymous paid calls. The client side (identity, keystore, deposits, tickets,
 * paid fetch), the server side (the 402 gate, proof verification, nullifier store) and the wire
 * protocol both speak. Devnet scaffolding for tests and examples is behind `@hermit/zkpay/testing`.
 */
export { ZkIdentity, saveKeystore, loadKeystore, type KeystoreOptions } from './identity.ts'
export { TicketStore, type TicketState } from './tickets.ts'
export {
  deployCreditPool,
  readPool,
  depositToPool,
  prepareDeposit,
  zkInfraFromDeployments,
  readDeposit,
  proveExitRequest,
  requestExit,
  finalizeExit,
  DEPOSIT_STATUS,
  SLASH_MARGIN,
  type DepositStatus,
  type DepositState,
  type ExitRequest,
  type ExitCall,
  type PoolConfig,
  type PoolInfo,
  type ZkInfra,
} from './pool.ts'
export { syncTree, removalSiblings, liveLeaves, type SyncedTree } from './sync.ts'
export {
  SCHEME,
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  HEADER_RESPONSE,
  HEADER_PREVERIFY,
  MAX_TICKETS_PER_CALL,
  ticketHeaderName,
  requestBinding,
  encodeHeader,
  decodeHeader,
  paymentRequiredSchema,
  paymentResponseSchema,
  paymentResponseHeader,
  paymentFailureHeader,
  x402ErrorReason,
  PREVERIFY_EXTENSION,
  type PaymentRequired,
  type PaymentRequirements,
  type PaymentPayload,
  type PaymentResponse,
  type SupportedResponse,
} from './protocol.ts'
export { createZkPayClient, type ZkPayClient, type ZkPayClientOptions, type PaidResponse } from './client.ts'
export { oneUseFetch } from './transport.ts'
export {
  createZkPayGate,
  type ZkPayGate,
  type ZkPayGateOptions,
  type PaidHandler,
  type EarlyStart,
  type PaidRequest,
  type GateEvent,
  type GateStats,
} from './server.ts'
export { createRootTracker, poolTreeEvents, type RootTracker, type PoolTreeEvent } from './roots.ts'
export {
  SqliteNullifierStore,
  type NullifierStore,
  type NullifierStoreOptions,
  type NullifierState,
  type SlashRecord,
  type Share,
  type ClaimEntry,
  type ClaimResult,
  type StoredResponse,
} from './store.ts'
export { PostgresNullifierStore, type PostgresNullifierStoreOptions } from './store-postgres.ts'
export { nullifierStoreFromUrl } from './store-url.ts'
export { ProofVerifierPool, type VerifierOptions } from './verifier.ts'
export {
  ZkPayError,
  KeystoreError,
  TicketError,
  PaymentError,
  ZKPAY_ERROR_CODES,
  type ZkPayErrorCode,
  type PaymentErrorCode,
  type KeystoreErrorCode,
  type TicketErrorCode,
} from './errors.ts'
