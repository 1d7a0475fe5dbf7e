import { getAddress, isAddress, isHex, type Address, type Hex } from 'viem'
import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import { RequestInvalidError } from './errors.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
const hex = z
  .string()
  .refine((v) => isHex(v, { strict: true }) && v.length % 2 === 0, 'not 0x-prefixed hex bytes')
  .transform((v) => v as Hex)
/** Decimal string, 0x quantity, or JSON number: always a bigint inside. */
const quantity = z
  .union([z.bigint(), z.number().int().nonnegative(), z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, 'not a quantity')])
  .transform((v) => BigInt(v))

const authorization = z.looseObject({ address, chainId: quantity, nonce: quantity })

export const txRequestSchema = z
  .strictObject({
    chainId: quantity.transform(Number),
    from: address,
    to: address.nullable().optional(),
    value: quantity.default(0n),
    data: hex.optional(),
    /** Some wallets send the calldata as `input`. */
    input: hex.optional(),
    gas: quantity.optional(),
    gasPrice: quantity.optional(),
    maxFeePerGas: quantity.optional(),
    maxPriorityFeePerGas: quantity.optional(),
    nonce: quantity.optional(),
    type: z.union([z.string().max(10), z.number().int()]).optional(),
    accessList: z.array(z.unknown()).max(1000).optional(),
    /** EIP-7702: delegations this transaction would install on EOAs. */
    authorizationList: z.array(authorization).optional(),
  })
  .refine((t) => t.data === undefined || t.input === undefined || t.data === t.input, {
    message: 'data and input differ',
    path: ['input'],
  })
  .transform(({ input, type: _type, accessList: _accessList, ...t }) => ({
    ...t,
    data: (t.data ?? input ?? '0x') as Hex,
  }))

const typedDataSchema = z.looseObject({
  domain: z.looseObject({
    name: z.string().optional(),
    version: z.string().optional(),
    chainId: quantity.optional(),
    verifyingContract: address.optional(),
  }),
  types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
  primaryType: z.string(),
  message: z.record(z.string(), z.unknown()),
})

export const typedDataRequestSchema = z.strictObject({
  chainId: quantity.transform(Number),
  from: address,
  typedData: typedDataSchema,
})

/** eth_sign / personal_sign of raw bytes: a blind signature when it is a 32-byte hash. */
export const rawSignRequestSchema = z.strictObject({
  chainId: quantity.transform(Number),
  from: address,
  method: z.enum(['eth_sign', 'personal_sign']),
  message: hex,
})

export type TxRequest = z.output<typeof txRequestSchema>
export type TypedDataRequest = z.output<typeof typedDataRequestSchema>
export type RawSignRequest = z.output<typeof rawSignRequestSchema>
export type VerifyRequest =
  | ({ kind: 'transaction' } & TxRequest)
  | ({ kind: 'typed-data' } & TypedDataRequest)
  | ({ kind: 'raw-sign' } & RawSignRequest)
export type VerifyRequestInput =
  | z.input<typeof txRequestSchema>
  | z.input<typeof typedDataRequestSchema>
  | z.input<typeof rawSignRequestSchema>

/** Parses what a dapp asks to sign (untrusted JSON) into a typed request; the error names the field. */
export function parseRequest(input: unknown): VerifyRequest {
  const obj = (input ?? {}) as Record<string, unknown>
  const [kind, schema] =
    'typedData' in obj
      ? (['typed-data', typedDataRequestSchema] as const)
      : 'method' in obj
        ? (['raw-sign', rawSignRequestSchema] as const)
        : (['transaction', txRequestSchema] as const)
  const result = (schema as z.ZodType).safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const field = formatPath(issue.path)
    throw new RequestInvalidError('TXGUARD_REQUEST_INVALID', `Request field ${field}: ${issue.message}`, {
      hint:
        'Give { chainId, from, to, value, data } for a transaction, { chainId, from, typedData } for EIP-712, ' +
        'or { chainId, from, method, message } for eth_sign.',
      details: { field },
      cause: result.error,
    })
  }
  return { kind, ...(result.data as object) } as VerifyRequest
}
