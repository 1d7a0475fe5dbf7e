import { HermitError } from '@hermit/errors'

/** Every code @hermit/gateway throws or sends (in the client's own API error format). */
export const GATEWAY_ERROR_CODES = [
  'GATEWAY_BAD_OPTIONS',
  'GATEWAY_BAD_REQUEST',
  'GATEWAY_TOO_LARGE',
  'GATEWAY_UPSTREAM_UNREACHABLE',
  'GATEWAY_NO_TICKETS',
  'GATEWAY_ANONYMITY_TOO_SMALL',
  'GATEWAY_PAYMENT_FAILED',
] as const
export type GatewayErrorCode = (typeof GATEWAY_ERROR_CODES)[number]

export class GatewayError extends HermitError<GatewayErrorCode> {}
