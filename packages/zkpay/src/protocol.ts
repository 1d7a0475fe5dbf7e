/**
 * The zk-rln scheme over HTTP 402, in the x402 v2 shape: the server answers 402 with a
 * PAYMENT-REQUIRED header (base64 JSON), the client retries with PAYMENT-SIGNATURE, the server
 * answers with PAYMENT-RESPONSE. Everything from the other side is parsed with zod, with sizes
 * and field ranges checked before any cryptography runs.
 */
import { createHash } from 'node:crypto'
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { messageX, SNARK_FIELD } from '@hermit/circuits'
import { formatPath } from '@hermit/errors'
import { PaymentError, type PaymentErrorCode } from './errors.ts'

export const SCHEME = 'zk-rln'
export const HEADER_REQUIRED = 'payment-required'
export const HEADER_SIGNATURE = 'payment-signature'
export const HEADER_RESPONSE = 'payment-response'
/** Hermit extension: a precomputed proof sent ahead of its call, to be verified off the call's critical path. */
export const HEADER_PREVERIFY = 'payment-preverify'
export const MAX_HEADER_BYTES = 8 * 1024
/** A call priced by size carries k tickets: PAYMENT-SIGNATURE, then PAYMENT-SIGNATURE-2 … -k, one proof each. */
export const MAX_TICKETS_PER_CALL = 64
export const ticketHeaderName = (i: number): string => (i === 0 ? HEADER_SIGNATURE : `${HEADER_SIGNATURE}-${i + 1}`)

/** BN254 base field: proof coordinates live here (public signals live in the scalar field). */
export const BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

const dec = (max: bigint, what: string) =>
  z
    .string()
    .max(80)
    .regex(/^\d+$/, `${what}: expected a decimal integer`)
    .transform((v) => BigInt(v))
    .refine((v) => v < max, `${what}: not below the field modulus`)
const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
const network = z.string().regex(/^eip155:\d+$/, 'expected eip155:<chainId>')

export const requirementsSchema = z.strictObject({
  scheme: z.literal(SCHEME),
  network,
  /** Price of one call (one ticket), base units. */
  amount: z.string().regex(/^\d+$/).max(80),
  /** Token, or the zero address for native ETH. */
  asset: address,
  /** The pool the deposit lives in. */
  payTo: address,
  maxTimeoutSeconds: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400),
  extra: z.strictObject({
    scope: z.string().regex(/^\d+$/).max(80),
    /** sha256 of the credit verification key the server checks with. */
    vkeyHash: z.string().regex(/^[0-9a-f]{64}$/),
    rootWindowSeconds: z.number().int().nonnegative(),
    /**
     * Live deposits in the pool (leaves neither slashed nor exiting) when this was sent: the set a
     * proof hides among. Advisory: a client counts them itself from the chain before it pays.
     */
    anonymitySet: z.number().int().nonnegative(),
    /** The server accepts precomputed proofs ahead of their call (PAYMENT-PREVERIFY). */
    preverify: z.boolean().optional(),
    /** Priced by size: how many tokens (prompt and answer) one ticket buys. */
    tokensPerTicket: z.number().int().positive().optional(),
    /** How many tickets the request this 402 answers costs (one PAYMENT-SIGNATURE header each). */
    ticketsRequired: z.number().int().positive().max(64).optional(),
  }),
})
export type PaymentRequirements = z.output<typeof requirementsSchema>

/** x402's ResourceInfo: what is paid for. Unknown fields another implementation adds are ignored. */
const resourceSchema = z.object({
  url: z.string().max(2048),
  description: z.string().max(300).optional(),
  mimeType: z.string().max(100).optional(),
})
/** x402 v2 `extensions`: named, open-ended objects; read leniently, never trusted for anything. */
const extensionsSchema = z.record(z.string().max(100), z.unknown())
/** Hermit's extension name for PAYMENT-PREVERIFY (proofs sent ahead of their call), declared in the 402. */
export const PREVERIFY_EXTENSION = 'zk-rln-preverify'

/** An offer of another scheme (exact, upto, …) in the same 402: accepted on the wire, then ignored. */
const otherSchemeSchema = z.looseObject({
  scheme: z
    .string()
    .max(64)
    .refine((v) => v !== SCHEME, 'a zk-rln offer must match the zk-rln requirements'),
  network: z.string().max(100),
})

export const paymentRequiredSchema = z.strictObject({
  x402Version: z.literal(2),
  error: z.string().max(300).optional(),
  resource: resourceSchema.optional(),
  /** Offers of any scheme; only the zk-rln ones are kept (the others are for other clients). */
  accepts: z
    .array(z.union([requirementsSchema, otherSchemeSchema]))
    .min(1)
    .max(16)
    .transform((offers) => offers.filter((o): o is PaymentRequirements => o.scheme === SCHEME)),
  extensions: extensionsSchema.optional(),
})
export type PaymentRequired = z.output<typeof paymentRequiredSchema>

export const proofSchema = z.strictObject({
  a: z.tuple([dec(BASE_FIELD, 'a'), dec(BASE_FIELD, 'a')]),
  b: z.tuple([
    z.tuple([dec(BASE_FIELD, 'b'), dec(BASE_FIELD, 'b')]),
    z.tuple([dec(BASE_FIELD, 'b'), dec(BASE_FIELD, 'b')]),
  ]),
  c: z.tuple([dec(BASE_FIELD, 'c'), dec(BASE_FIELD, 'c')]),
})

const bytesHex = (n: number, what: string) =>
  z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${2 * n}}$`), `${what}: expected ${n} bytes of hex`)

export const paymentPayloadSchema = z.strictObject({
  x402Version: z.literal(2),
  resource: resourceSchema.optional(),
  extensions: extensionsSchema.optional(),
  accepted: requirementsSchema,
  payload: z.strictObject({
    proof: proofSchema,
    /** [y, nullifier, root, scope, x] as the circuit outputs them. */
    publicSignals: z.tuple([
      dec(SNARK_FIELD, 'y'),
      dec(SNARK_FIELD, 'nullifier'),
      dec(SNARK_FIELD, 'root'),
      dec(SNARK_FIELD, 'scope'),
      dec(SNARK_FIELD, 'x'),
    ]),
    /**
     * Precomputed proofs: x = oneTimeKeyX(publicKey) was proved ahead of time, and the call is
     * bound by this key's signature instead: Ed25519 over oneTimeKeySignedString (version 3: the
     * proof's root and nullifier, and the request's binding string; version 2 was secp256k1).
     */
    oneTimeKey: z
      .strictObject({
        version: z.literal(3),
        publicKey: bytesHex(32, 'publicKey'),
        signature: bytesHex(64, 'signature'),
      })
      .optional(),
  }),
})
export type PaymentPayload = z.output<typeof paymentPayloadSchema>

/** Another scheme's payment (x402 `exact`, `upto`, …): only its scheme is read, to name the refusal. */
const otherSchemePaymentSchema = z.looseObject({
  accepted: z.looseObject({
    scheme: z
      .string()
      .max(64)
      .refine((v) => v !== SCHEME),
  }),
})

/**
 * A PAYMENT-SIGNATURE as a zk-rln payment. One that does not parse but is another scheme's payment
 * is refused as such (402 ZKPAY_UNSUPPORTED_SCHEME, x402's `unsupported_scheme`), not as malformed:
 * the client learns to pay another way. Only read when the zk-rln parse failed, so it costs a good
 * payment nothing.
 */
export function decodePaymentPayload(header: string | undefined, what: string): PaymentPayload {
  try {
    return decodeHeader(paymentPayloadSchema, header, what)
  } catch (error) {
    if (!(error instanceof PaymentError) || error.code !== 'ZKPAY_MALFORMED') throw error
    if (!otherSchemePaymentSchema.safeParse(headerJson(header)).success) throw error
    throw new PaymentError(
      'ZKPAY_UNSUPPORTED_SCHEME',
      `${what} pays with another scheme: this server takes zk-rln payments only.`,
      402,
    )
  }
}

/** A header's base64 JSON, or undefined when it is not that. */
function headerJson(header: string | undefined): unknown {
  try {
    return header ? JSON.parse(Buffer.from(header, 'base64').toString('utf8')) : undefined
  } catch {
    return undefined
  }
}

/**
 * A precomputed proof sent ahead of its call: the proof and its one-time public key, no request
 * signature (there is no request yet). Verifying it spends nothing; the call that uses it later
 * skips the pairing check and only checks the one-time key's signature.
 */
export const preverifyPayloadSchema = z.strictObject({
  x402Version: z.literal(2),
  resource: resourceSchema.optional(),
  extensions: extensionsSchema.optional(),
  accepted: requirementsSchema,
  payload: z.strictObject({
    proof: proofSchema,
    publicSignals: paymentPayloadSchema.shape.payload.shape.publicSignals,
    oneTimeKey: z.strictObject({ publicKey: bytesHex(32, 'publicKey') }),
  }),
})
export type PreverifyPayload = z.output<typeof preverifyPayloadSchema>

/** What identifies one proof: its points and public signals (the one-time key is inside x), each length-prefixed. */
export function proofKey(p: {
  proof: { a: readonly bigint[]; b: readonly (readonly bigint[])[]; c: readonly bigint[] }
  publicSignals: readonly bigint[]
}): string {
  const parts = [p.proof.a, p.proof.b.flat(), p.proof.c, p.publicSignals].map((xs) => `${xs.length}:${xs.join(',')}`)
  return sha256Hex(parts.join(';'))
}

/** What a paid call's PAYMENT-RESPONSE tells the client, flattened: the nullifier is also x402's `transaction`. */
export type PaymentResponse = {
  success: boolean
  network: string
  nullifier: string
  /** "new" for a first use, "replay" when a retry got the recorded answer. */
  status: 'new' | 'replay'
  errorReason?: string
}

/** Hermit's extras in PAYMENT-RESPONSE, under `extensions['zk-rln']`. */
const responseExtrasSchema = z.object({
  nullifier: z.string().regex(/^\d+$/).max(80),
  status: z.enum(['new', 'replay']),
})

/**
 * PAYMENT-RESPONSE as x402 v2's SettleResponse: `success`, `transaction` (required; here the ticket's
 * nullifier, the one identifier a zk-rln payment has, as a batch settlement's commitment id),
 * `network`, a snake_case `errorReason` on failure, Hermit's extras under `extensions`. No `payer`:
 * there is none to name. Read leniently (unknown fields ignored), flattened to PaymentResponse.
 */
export const paymentResponseSchema = z
  .object({
    success: z.boolean(),
    transaction: z.string().max(80),
    network,
    errorReason: z.string().max(100).optional(),
    errorMessage: z.string().max(300).optional(),
    extensions: z.object({ [SCHEME]: responseExtrasSchema.optional() }).optional(),
  })
  .transform(
    (r): PaymentResponse => ({
      success: r.success,
      network: r.network,
      nullifier: r.extensions?.[SCHEME]?.nullifier ?? (/^\d+$/.test(r.transaction) ? r.transaction : ''),
      status: r.extensions?.[SCHEME]?.status ?? 'new',
      ...(r.errorReason === undefined ? {} : { errorReason: r.errorReason }),
    }),
  )

/** PAYMENT-RESPONSE of a served (or replayed) call, in the x402 v2 shape. */
export function paymentResponseHeader(p: PaymentResponse): string {
  return encodeHeader({
    success: p.success,
    transaction: p.nullifier,
    network: p.network,
    ...(p.errorReason === undefined ? {} : { errorReason: p.errorReason }),
    extensions: { [SCHEME]: { nullifier: p.nullifier, status: p.status } },
  })
}

/** x402's own reason codes where one fits; otherwise Hermit's code in snake_case (ZKPAY_STALE_ROOT → stale_root). */
const X402_REASONS: Partial<Record<PaymentErrorCode, string>> = {
  ZKPAY_HEADER_MISSING: 'invalid_payload',
  ZKPAY_HEADER_TOO_LARGE: 'invalid_payload',
  ZKPAY_MALFORMED: 'invalid_payload',
  ZKPAY_WRONG_POOL: 'invalid_payment_requirements',
  ZKPAY_WRONG_PRICE: 'invalid_payment_requirements',
  ZKPAY_PAYMENT_FAILED: 'unexpected_verify_error',
  ZKPAY_UNSUPPORTED_SCHEME: 'unsupported_scheme',
}
export function x402ErrorReason(code: PaymentErrorCode): string {
  return X402_REASONS[code] ?? code.replace(/^ZKPAY_/, '').toLowerCase()
}

/**
 * PAYMENT-RESPONSE of a refused payment: `success: false`, a snake_case `errorReason`, an empty
 * `transaction` (nothing was settled); Hermit's own code stays in the JSON body.
 */
export function paymentFailureHeader(networkId: string, code: PaymentErrorCode, message: string): string {
  return encodeHeader({
    success: false,
    transaction: '',
    network: networkId,
    errorReason: x402ErrorReason(code),
    errorMessage: message.slice(0, 300),
  })
}

/** The PAYMENT-RESPONSE of a paid call, when it succeeded: a refusal's (success: false) is not a payment. */
export function readPaymentResponse(header: string | null): PaymentResponse | undefined {
  if (!header) return undefined
  const p = decodeHeader(paymentResponseSchema, header, 'PAYMENT-RESPONSE')
  return p.success ? p : undefined
}

/** x402's `GET /supported` answer (a facilitator's discovery document): the scheme and network this gate settles. */
export type SupportedResponse = {
  kinds: { x402Version: 2; scheme: typeof SCHEME; network: string; extra?: Record<string, unknown> }[]
  extensions: string[]
  signers: Record<string, string[]>
}

/**
 * The JSON body of every refusal the gate sends (4xx, 5xx): a code of the `ZKPAY_` family and a
 * one-line message. The client reads it with this same schema.
 */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string().max(80), message: z.string() }),
})
export type ErrorBody = { error: { code: PaymentErrorCode; message: string } }

export function encodeHeader(value: unknown): string {
  return Buffer.from(
    JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)),
    'utf8',
  ).toString('base64')
}

/** Decodes and validates a base64 JSON header; every failure is a 400-class PaymentError naming the field. */
export function decodeHeader<S extends z.ZodType>(schema: S, header: string | undefined, what: string): z.output<S> {
  if (!header) throw new PaymentError('ZKPAY_HEADER_MISSING', `No ${what} header.`, 402)
  if (header.length > MAX_HEADER_BYTES)
    throw new PaymentError('ZKPAY_HEADER_TOO_LARGE', `${what} header is larger than ${MAX_HEADER_BYTES} bytes.`, 431)
  if (!/^[A-Za-z0-9+/=_-]+$/.test(header)) throw new PaymentError('ZKPAY_MALFORMED', `${what} header is not base64.`)
  let json: unknown
  try {
    json = JSON.parse(Buffer.from(header, 'base64').toString('utf8'))
  } catch {
    throw new PaymentError('ZKPAY_MALFORMED', `${what} header is not base64 JSON.`)
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new PaymentError('ZKPAY_MALFORMED', `${what}: field ${formatPath(issue.path)}: ${issue.message}`)
  }
  return parsed.data
}

/**
 * The message a proof is bound to: method, path and body of this very request. A proof cannot
 * pay for another request, and a retry of the same request has the same x (so it is replayed,
 * not charged twice).
 */
export function requestBindingString(method: string, pathAndQuery: string, body: Uint8Array | string = ''): string {
  const bodyHash = createHash('sha256').update(body).digest('hex')
  return `hermit-zkpay/v1\n${method.toUpperCase()}\n${pathAndQuery}\n${bodyHash}`
}

/**
 * What a one-time key signs on a call (version 3): the proof's root and nullifier — so the signature
 * belongs to this one proof — and the request's binding string, so it pays for this request only.
 */
export function oneTimeKeySignedString(
  signals: { root: bigint; nullifier: bigint },
  method: string,
  pathAndQuery: string,
  body: Uint8Array | string = '',
): string {
  return `hermit-zkpay/otk-call/v3\n${signals.root}\n${signals.nullifier}\n${requestBindingString(method, pathAndQuery, body)}`
}

export function requestBinding(method: string, pathAndQuery: string, body: Uint8Array | string = ''): bigint {
  return messageX(requestBindingString(method, pathAndQuery, body))
}

/** The x a precomputed proof is bound to: its one-time public key (Ed25519, hex). */
export function oneTimeKeyX(publicKeyHex: string): bigint {
  return messageX(`hermit-zkpay/otk/v2\n${publicKeyHex.toLowerCase()}`)
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex')
}
