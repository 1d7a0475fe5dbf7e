import { HermitError } from '@hermit/errors'

export class ZkPayError extends HermitError {
  override name = 'ZkPayError'
}

/** The keystore cannot be opened: wrong password, corrupt or foreign file. Never carries the secret. */
export class KeystoreError extends ZkPayError {
  override name = 'KeystoreError'
}

/** Ticket state on disk is locked, corrupt, or exhausted. */
export class TicketError extends ZkPayError {
  override name = 'TicketError'
}

/** A payment header that does not parse or does not pay. */
export class PaymentError extends ZkPayError {
  override name = 'PaymentError'
  readonly status: number
  constructor(code: string, message: string, status = 400, options: ConstructorParameters<typeof HermitError>[2] = {}) {
    super(code, message, options)
    this.status = status
  }
}
