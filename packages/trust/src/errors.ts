import { HermitError } from '@hermit/errors'

export const TRUST_ERROR_CODES = ['TRUST_BAD_ADDRESS', 'TRUST_READ_FAILED'] as const
export type TrustErrorCode = (typeof TRUST_ERROR_CODES)[number]

export class TrustError extends HermitError<TrustErrorCode> {}
