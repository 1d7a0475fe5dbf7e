import { readFileSync } from 'node:fs'
import { writeFileAtomic } from '@hermit/chain'
import { getAddress, isAddress, isHash, type Address, type Hash } from 'viem'
import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import { DeploymentsFileError } from './errors.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
const hash = z
  .string()
  .refine((v) => isHash(v), 'not a 32-byte hex hash')
  .transform((v) => v as Hash)
const uint = z.union([z.string().regex(/^\d+$/, 'not a decimal integer'), z.bigint()]).transform((v) => BigInt(v))

export const deployedContractSchema = z.strictObject({
  address,
  txHash: hash,
  blockNumber: uint,
  gasUsed: uint,
})

const name = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a contract name')
const tick = z.number().int().min(-887272).max(887272)

/** What the DeFi world seeded on top of its contracts (which are in `contracts` by name). */
export const defiWorldSchema = z.strictObject({
  tokens: z.record(name, z.strictObject({ address, decimals: z.number().int().min(0).max(36) })),
  v2Pairs: z.record(name, z.strictObject({ address, token0: address, token1: address })),
  v3Pools: z.record(
    name,
    z.strictObject({
      address,
      token0: address,
      token1: address,
      fee: z.number().int().positive(),
      positionId: uint,
      tickLower: tick,
      tickUpper: tick,
    }),
  ),
  safe: z.strictObject({ address, owners: z.array(address).min(1), threshold: z.number().int().positive() }),
})

export const deploymentsSchema = z
  .strictObject({
    schema: z.literal('hermit-deployments/v1'),
    chainId: z.number().int().positive(),
    rpcUrl: z.url(),
    fork: z.strictObject({ url: z.string(), blockNumber: uint.optional() }).optional(),
    accounts: z.array(address),
    contracts: z.record(name, deployedContractSchema),
    /** Which world was deployed; absent means Hermit's contracts only (files written before worlds existed). */
    world: z.enum(['hermit', 'defi']).optional(),
    defi: defiWorldSchema.optional(),
  })
  .refine((d) => d.world !== 'defi' || d.defi !== undefined, {
    path: ['defi'],
    message: "the defi world's seeded pairs, pools and Safe are missing",
  })

export type DeployedContract = z.output<typeof deployedContractSchema>
export type Deployments = z.output<typeof deploymentsSchema>
export type DefiWorldRecord = z.output<typeof defiWorldSchema>

/** Parses a deployments object; the error names the first bad field. */
export function parseDeployments(value: unknown, source = 'deployments'): Deployments {
  const result = deploymentsSchema.safeParse(value)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const field = formatPath(issue.path)
    throw new DeploymentsFileError('DEVNET_DEPLOYMENTS_INVALID', `${source}: field ${field}: ${issue.message}`, {
      hint: 'Write the file with `pnpm devnet` (or writeDeployments), or fix the named field.',
      details: { source, field },
      cause: result.error,
    })
  }
  return result.data
}

export function readDeployments(path: string): Deployments {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (cause) {
    throw new DeploymentsFileError('DEVNET_DEPLOYMENTS_UNREADABLE', `Cannot read deployments file ${path}.`, {
      hint: 'Start a devnet with `pnpm devnet` (it writes the file), or pass the right path.',
      details: { path },
      cause,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (cause) {
    throw new DeploymentsFileError('DEVNET_DEPLOYMENTS_NOT_JSON', `Deployments file ${path} is not valid JSON.`, {
      hint: 'Delete it and let `pnpm devnet` write it again.',
      details: { path },
      cause,
    })
  }
  return parseDeployments(json, path)
}

export function serializeDeployments(d: Deployments): string {
  return `${JSON.stringify(d, (_, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
}

/** Writes atomically (temp, fsync, rename, fsync of the folder), so a crash never leaves half a file. */
export function writeDeployments(path: string, d: Deployments): void {
  parseDeployments(d, 'deployments to write')
  writeFileAtomic(path, serializeDeployments(d), 0o644)
}
