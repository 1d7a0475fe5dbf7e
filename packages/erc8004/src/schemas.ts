import { getAddress, isAddress, isHash, type Address, type Hash } from 'viem'
import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import { Erc8004FileError } from './errors.ts'

export const REGISTRATION_TYPE = 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)

/** `eip155:<chainId>:<address>` */
export const agentRegistryIdSchema = z
  .string()
  .regex(/^eip155:\d+:0x[0-9a-fA-F]{40}$/, 'expected eip155:<chainId>:<registry address>')

export function formatAgentRegistry(chainId: number, identityRegistry: Address): string {
  return `eip155:${chainId}:${getAddress(identityRegistry)}`
}

export function parseAgentRegistry(id: string): { chainId: number; address: Address } {
  const [, chain, addr] = agentRegistryIdSchema.parse(id).split(':')
  return { chainId: Number(chain), address: getAddress(addr!) }
}

export const serviceSchema = z.looseObject({
  name: z.string().min(1).max(100),
  endpoint: z.string().min(1).max(2048),
  version: z.string().max(100).optional(),
  skills: z.array(z.string().max(200)).max(200).optional(),
  domains: z.array(z.string().max(200)).max(200).optional(),
})

/** The agent's registration file (what agentURI resolves to). Unknown fields are kept. */
export const registrationFileSchema = z.looseObject({
  type: z.literal(REGISTRATION_TYPE),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000),
  image: z.string().max(2048).optional(),
  services: z.array(serviceSchema).max(100).default([]),
  x402Support: z.boolean().optional(),
  active: z.boolean().optional(),
  registrations: z
    .array(
      z.strictObject({
        // null: written before the agent was minted (agent0 does this); registerAgent fills it in
        agentId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).nullable(),
        agentRegistry: agentRegistryIdSchema,
      }),
    )
    .max(100)
    .optional(),
  supportedTrust: z.array(z.string().max(100)).max(20).optional(),
})
export type RegistrationFile = z.output<typeof registrationFileSchema>

/**
 * What other tools write, read as the current form: `endpoints` (the draft's name) when `services`
 * is missing, `x402support` in lower case or `x402Support: {enabled}`, and `supportedTrusts`.
 * Only reading is lenient: the file Hermit writes is always the current spec's form.
 */
export function normalizeRegistrationFile(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value
  const o: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  const rename = (from: string, to: string) => {
    if (o[to] === undefined && o[from] !== undefined) o[to] = o[from]
    delete o[from]
  }
  if (o.services === undefined) rename('endpoints', 'services')
  rename('x402support', 'x402Support')
  const x402 = o.x402Support
  if (x402 && typeof x402 === 'object' && !Array.isArray(x402) && 'enabled' in x402)
    o.x402Support = (x402 as { enabled: unknown }).enabled
  rename('supportedTrusts', 'supportedTrust')
  return o
}
export type RegistrationFileInput = z.input<typeof registrationFileSchema>
export type Service = z.output<typeof serviceSchema>

export const proofOfPaymentSchema = z.looseObject({
  fromAddress: address,
  toAddress: address,
  chainId: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform((v) => Number(v)),
  txHash: z
    .string()
    .refine((v) => isHash(v), 'not a transaction hash')
    .transform((v) => v as Hash),
})

/** The off-chain feedback file (what feedbackURI points to). Unknown fields are kept. */
export const feedbackFileSchema = z.looseObject({
  agentRegistry: agentRegistryIdSchema,
  agentId: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v)),
  /** `eip155:<chainId>:<address>` as the ERC writes it, or a bare address. */
  clientAddress: z.string().regex(/^(eip155:\d+:)?0x[0-9a-fA-F]{40}$/, 'expected [eip155:<chainId>:]<address>'),
  createdAt: z.iso.datetime({ offset: true }),
  // the registry stores value as int128: a file claiming more cannot be the feedback given on-chain
  value: z
    .union([z.number().int(), z.string().regex(/^-?\d+$/)])
    .transform((v) => BigInt(v))
    .refine((v) => v >= -(2n ** 127n) && v < 2n ** 127n, 'outside int128'),
  valueDecimals: z.number().int().min(0).max(18),
  tag1: z.string().optional(),
  tag2: z.string().optional(),
  endpoint: z.string().optional(),
  mcp: z.looseObject({}).optional(),
  a2a: z.looseObject({}).optional(),
  oasf: z.looseObject({}).optional(),
  proofOfPayment: proofOfPaymentSchema.optional(),
})
export type FeedbackFile = z.output<typeof feedbackFileSchema>
export type ProofOfPayment = z.output<typeof proofOfPaymentSchema>

/** The address part of a feedback file's clientAddress. */
export function clientAddressOf(file: FeedbackFile): Address {
  return getAddress(file.clientAddress.split(':').pop()!)
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = formatPath(issue.path)
  throw new Erc8004FileError('ERC8004_FILE_INVALID', `${what}: field ${field}: ${issue.message}`, {
    hint: 'See the ERC-8004 registration / feedback file format.',
    details: { field },
    cause: result.error,
  })
}

export const parseRegistrationFile = (value: unknown): RegistrationFile =>
  parseWith(registrationFileSchema, normalizeRegistrationFile(value), 'registration file')
export const parseFeedbackFile = (value: unknown): FeedbackFile => parseWith(feedbackFileSchema, value, 'feedback file')
