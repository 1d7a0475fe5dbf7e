import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

/**
 * The report of `checkTrust`, as data: JSON-serialisable as it is (amounts and block numbers as
 * decimal strings), so the CLI's `--json`, the MCP tool and txguard read the same thing.
 */

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
const decimal = z.string().regex(/^\d+$/, 'not a decimal integer')

/** What a key can do to a contract, beyond what any user can. */
export const CAPABILITIES = ['upgrade', 'pause', 'mint', 'blacklist', 'set-fees', 'move-funds', 'change-owner'] as const
export type Capability = (typeof CAPABILITIES)[number]
export const capabilitySchema = z.enum(CAPABILITIES)

export const PROXY_KINDS = [
  'none',
  'eip1967-transparent',
  'eip1967-uups',
  'eip1967',
  'beacon',
  'eip1167',
  'diamond',
  'eip7702',
] as const
export type ProxyKind = (typeof PROXY_KINDS)[number]

export const proxySchema = z.object({
  kind: z.enum(PROXY_KINDS),
  /** The code that runs: the ERC-1967 implementation, the beacon's, the clone's or the 7702 delegate. */
  implementation: address.nullable(),
  /** The ERC-1967 admin slot (a transparent proxy's ProxyAdmin). */
  admin: address.nullable(),
  beacon: address.nullable(),
  /** A diamond's facets, from its loupe. */
  facets: z.array(address),
})
export type ProxyInfo = z.output<typeof proxySchema>

export const CONTROLLER_KINDS = ['eoa', 'delegated-eoa', 'safe', 'timelock', 'contract'] as const
export type ControllerKind = (typeof CONTROLLER_KINDS)[number]

export type Controller = {
  address: Address
  kind: ControllerKind
  /** A Safe's threshold and owners. */
  safe?: { threshold: number; owners: Address[] }
  /** A timelock's style and minimum delay in seconds. */
  timelock?: { style: 'openzeppelin' | 'compound'; minDelaySeconds: string }
  /** Who acts through it: a Safe's owners, a timelock's proposers or admin, a contract's owner(). */
  controllers: Controller[]
  /** The recursion stopped here (depth limit or a cycle): who is behind it was not read. */
  truncated?: boolean
}

export const controllerSchema: z.ZodType<Controller> = z.lazy(() =>
  z.object({
    address: address as unknown as z.ZodType<Address>,
    kind: z.enum(CONTROLLER_KINDS),
    safe: z.object({ threshold: z.number().int().nonnegative(), owners: z.array(address) }).optional(),
    timelock: z.object({ style: z.enum(['openzeppelin', 'compound']), minDelaySeconds: decimal }).optional(),
    controllers: z.array(controllerSchema),
    truncated: z.boolean().optional(),
  }),
) as z.ZodType<Controller>

/** One power over the contract and who holds it. */
export const powerSchema = z.object({
  capability: capabilitySchema,
  /** How it was found: "owner()", "ERC-1967 admin slot", "role MINTER_ROLE", "beacon owner()", … */
  via: z.string(),
  holder: controllerSchema,
})
export type Power = z.output<typeof powerSchema>

/** The cheapest way to exercise a capability: fewest keys first, then the shortest delay. */
export const pathSchema = z.object({
  capability: capabilitySchema,
  /** Signatures needed; null when a contract of unknown kind stands on the way. */
  keys: z.number().int().positive().nullable(),
  delaySeconds: decimal,
  /** From the key to the contract: each hop's address and kind. */
  route: z.array(z.object({ address, kind: z.enum(CONTROLLER_KINDS) })),
  via: z.string(),
})
export type TrustPath = z.output<typeof pathSchema>

export const roleSchema = z.object({
  role: z.string().regex(/^0x[0-9a-f]{64}$/),
  name: z.string().nullable(),
  members: z.array(address),
})
export type RoleMembers = z.output<typeof roleSchema>

export const trustReportSchema = z.object({
  schema: z.literal('hermit-trust/v1'),
  chainId: z.number().int().positive(),
  blockNumber: decimal,
  address,
  /** `none`: no code (an EOA, or nothing deployed there). */
  code: z.enum(['none', 'contract', 'delegated']),
  proxy: proxySchema,
  /** Capabilities the code has, with the function signatures that show them. */
  capabilities: z.array(z.object({ capability: capabilitySchema, functions: z.array(z.string()) })),
  owner: address.nullable(),
  roles: z.array(roleSchema),
  /** From which block RoleGranted/RoleRevoked logs were read (an older grant is not seen). */
  rolesFromBlock: decimal,
  powers: z.array(powerSchema),
  shortest: z.object({ upgrade: pathSchema.nullable(), moveFunds: pathSchema.nullable() }),
  /** One key can upgrade with no delay: the case txguard warns about. */
  instantSingleKeyUpgrade: z.boolean(),
  summary: z.string(),
})
export type TrustReport = z.output<typeof trustReportSchema>
