import { getAddress, hexToBytes, isAddress, isHex, stringToHex, type Address, type Hex } from 'viem'
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

/** An amount of ETH (value, gas prices): wei only, and the error says so — "0.5" is the commonest mistake. */
const WEI = 'expected an amount in wei, a whole number (decimal or 0x): 1 ETH is 1000000000000000000'
const wei = z
  .union([z.bigint(), z.number().int(WEI).nonnegative(WEI), z.string().regex(/^(0x[0-9a-fA-F]+|\d+)$/, WEI)], {
    error: WEI,
  })
  .transform((v) => BigInt(v))

const authorization = z.looseObject({ address, chainId: quantity, nonce: quantity })

export const txRequestSchema = z
  .strictObject({
    chainId: quantity.transform(Number),
    from: address,
    to: address.nullable().optional(),
    value: wei.default(0n),
    data: hex.optional(),
    /** Some wallets send the calldata as `input`. */
    input: hex.optional(),
    gas: quantity.optional(),
    gasPrice: wei.optional(),
    maxFeePerGas: wei.optional(),
    maxPriorityFeePerGas: wei.optional(),
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

/**
 * What personal_sign signs: hex bytes, or — as real dapps send and wallets accept — plain text,
 * taken as its UTF-8 bytes (text that happens to be 0x-hex is hex, as wallets read it).
 */
const signedMessage = z.union([
  hex,
  z
    .string()
    .min(1)
    .transform((v) => stringToHex(v)),
])

/** The message as text, when its bytes are UTF-8 a person can read (no control characters but line breaks and tabs). */
export function readableText(message: Hex): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(hexToBytes(message))
    return text.length > 0 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text) ? text : undefined
  } catch {
    return undefined
  }
}

/** eth_sign / personal_sign of raw bytes: a blind signature when it is a 32-byte hash; `text` when the bytes read as text. */
export const rawSignRequestSchema = z
  .strictObject({
    chainId: quantity.transform(Number),
    from: address,
    method: z.enum(['eth_sign', 'personal_sign']),
    message: signedMessage,
  })
  .transform((r): typeof r & { text?: string } => {
    const text = readableText(r.message)
    return text === undefined ? r : { ...r, text }
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
