import { HermitError } from '@hermit/errors'

export const CHAIN_ERROR_CODES = [
  'CHAIN_REVERTED',
  'CHAIN_TX_FAILED',
  'CHAIN_NO_WALLET',
  'CHAIN_DEPLOY_FAILED',
  /** A keystore password under 8 characters. */
  'CHAIN_KEYSTORE_WEAK_PASSWORD',
  /** The keystore file cannot be read (missing, not JSON). */
  'CHAIN_KEYSTORE_UNREADABLE',
  /** The keystore file does not fit its format, or its contents do not match its address. */
  'CHAIN_KEYSTORE_INVALID',
  /** The password does not open the keystore (or the file was altered). */
  'CHAIN_KEYSTORE_WRONG_PASSWORD',
  /** A new keystore would overwrite an existing file. */
  'CHAIN_KEYSTORE_EXISTS',
] as const
export type ChainErrorCode = (typeof CHAIN_ERROR_CODES)[number]

export class ChainError extends HermitError<ChainErrorCode> {}

/**
 * A contract call that reverted, in simulation or on-chain. `reason` is the contract's own words:
 * a revert string ("Not authorized") or a custom error's name ("PastExpiry").
 */
export class ContractRevertError extends ChainError {
  readonly functionName: string
  readonly reason: string | undefined

  constructor(
    functionName: string,
    reason: string | undefined,
    options: { cause?: unknown; hash?: `0x${string}` } = {},
  ) {
    super(
      'CHAIN_REVERTED',
      reason === undefined
        ? `${functionName} reverted on-chain${options.hash ? ` (${options.hash})` : ''}.`
        : `${functionName} reverted: ${reason}`,
      {
        cause: options.cause,
        details: {
          functionName,
          ...(reason === undefined ? {} : { reason }),
          ...(options.hash ? { hash: options.hash } : {}),
        },
      },
    )
    this.functionName = functionName
    this.reason = reason
  }
}
