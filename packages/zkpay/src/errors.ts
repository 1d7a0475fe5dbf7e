import { HermitError, type HermitErrorOptions } from '@hermit/errors'

/** Codes the gate sends in its 4xx/5xx JSON bodies (`{ error: { code, message } }`); the client reads them back. */
export const PAYMENT_ERROR_CODES = [
  'ZKPAY_PAYMENT_REQUIRED',
  'ZKPAY_HEADER_MISSING',
  'ZKPAY_HEADER_TOO_LARGE',
  'ZKPAY_MALFORMED',
  'ZKPAY_WRONG_POOL',
  'ZKPAY_WRONG_PRICE',
  'ZKPAY_WRONG_SCOPE',
  'ZKPAY_WRONG_KEY',
  'ZKPAY_WRONG_REQUEST',
  'ZKPAY_STALE_ROOT',
  'ZKPAY_INVALID_PROOF',
  'ZKPAY_DOUBLE_SPEND',
  'ZKPAY_TICKET_CONSUMED',
  'ZKPAY_IN_PROGRESS',
  'ZKPAY_PREVERIFY_UNSUPPORTED',
  'ZKPAY_BODY_TOO_LARGE',
  'ZKPAY_HANDLER_FAILED',
  'ZKPAY_PAYMENT_FAILED',
  'ZKPAY_OVERLOADED',
  'ZKPAY_RATE_LIMITED',
  'ZKPAY_ALREADY_PREVERIFIED',
  'ZKPAY_TOO_FEW_TICKETS',
  'ZKPAY_UNSUPPORTED_SCHEME',
] as const
export type PaymentErrorCode = (typeof PAYMENT_ERROR_CODES)[number]

export const KEYSTORE_ERROR_CODES = [
  'ZKPAY_IDENTITY_INVALID',
  'ZKPAY_KEYSTORE_WEAK_PASSWORD',
  'ZKPAY_KEYSTORE_UNREADABLE',
  'ZKPAY_KEYSTORE_INVALID',
  'ZKPAY_KEYSTORE_WRONG_PASSWORD',
  'ZKPAY_KEYSTORE_EXISTS',
] as const
export type KeystoreErrorCode = (typeof KEYSTORE_ERROR_CODES)[number]

export const TICKET_ERROR_CODES = [
  'ZKPAY_TICKETS_LOCKED',
  'ZKPAY_TICKETS_EXIST',
  'ZKPAY_TICKETS_UNREADABLE',
  'ZKPAY_TICKETS_INVALID',
  'ZKPAY_TICKETS_EXHAUSTED',
  'ZKPAY_TICKETS_WRONG_IDENTITY',
] as const
export type TicketErrorCode = (typeof TICKET_ERROR_CODES)[number]

/** Every code @hermit/zkpay throws or sends: one `ZKPAY_` family, so a program can rely on them. */
export const ZKPAY_ERROR_CODES = [
  ...PAYMENT_ERROR_CODES,
  ...KEYSTORE_ERROR_CODES,
  ...TICKET_ERROR_CODES,
  'ZKPAY_NOT_DEPLOYED',
  'ZKPAY_DEPOSIT_FAILED',
  'ZKPAY_LEAF_USED',
  'ZKPAY_EXIT_FAILED',
  'ZKPAY_BAD_OPTIONS',
  'ZKPAY_TREE_MISMATCH',
  'ZKPAY_NO_MATCHING_POOL',
  'ZKPAY_REQUIREMENTS_MISMATCH',
  'ZKPAY_ANONYMITY_TOO_SMALL',
  'ZKPAY_PROOF_FAILED',
  'ZKPAY_NOT_PAID_ENDPOINT',
  'ZKPAY_BODY_TYPE',
  'ZKPAY_NULLIFIER_DB_IN_USE',
  'ZKPAY_VERIFIER_CRASHED',
  'ZKPAY_VERIFIER_CLOSED',
  'ZKPAY_SLASH_RECORD_SEALED',
  'ZKPAY_SLASH_FAILED',
] as const
export type ZkPayErrorCode = (typeof ZKPAY_ERROR_CODES)[number]

export class ZkPayError<C extends ZkPayErrorCode = ZkPayErrorCode> extends HermitError<C> {}

/** The keystore cannot be opened: wrong password, corrupt or foreign file. Never carries the secret. */
export class KeystoreError extends ZkPayError<KeystoreErrorCode> {}

/** Ticket state on disk is locked, corrupt, or exhausted. */
export class TicketError extends ZkPayError<TicketErrorCode> {}

/** A payment header that does not parse or does not pay; `status` is the HTTP status the gate answers with. */
export class PaymentError extends ZkPayError<PaymentErrorCode> {
  readonly status: number
  constructor(code: PaymentErrorCode, message: string, status = 400, options: HermitErrorOptions = {}) {
    super(code, message, options)
    this.status = status
  }
}
