import { getAddress, isAddress, isAddressEqual, type Address } from 'viem'
import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import type { Service } from '@hermit/erc8004'
import { AgentError } from './errors.ts'

/** The service name Hermit providers list in their ERC-8004 registration file. */
export const JOB_SERVICE = 'hermit-job'

/**
 * What a client asks for, in the job's on-chain description (public: send private inputs by
 * reference). Read by providers and evaluators as untrusted input, with size limits.
 */
export const jobRequestSchema = z.strictObject({
  v: z.literal(1),
  skill: z.string().min(1).max(100),
  input: z.string().max(16 * 1024),
})
export type JobRequest = z.output<typeof jobRequestSchema>

export function encodeJobRequest(request: JobRequest): string {
  return JSON.stringify(jobRequestSchema.parse(request))
}

/** The request in a job's description, or why it is not one. */
export function parseJobRequest(
  description: string,
): { ok: true; request: JobRequest } | { ok: false; reason: string } {
  let json: unknown
  try {
    json = JSON.parse(description)
  } catch {
    return { ok: false, reason: 'the description is not JSON' }
  }
  const parsed = jobRequestSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    return { ok: false, reason: `field ${formatPath(issue.path)}: ${issue.message}` }
  }
  return { ok: true, request: parsed.data }
}

const decimal = z.string().regex(/^\d{1,78}$/, 'expected a decimal integer')

/** A `hermit-job` service entry: where deliverables are served, which skills, at what price. */
export const jobServiceSchema = z.looseObject({
  name: z.literal(JOB_SERVICE),
  endpoint: z.string().min(1).max(2048),
  skills: z.array(z.string().max(200)).min(1).max(200),
  /** The escrow it takes jobs on, as eip155:<chainId>:<address>. */
  escrow: z.string().regex(/^eip155:\d+:0x[0-9a-fA-F]{40}$/),
  /** Price per job, per skill, in base units of the escrow's payment token. */
  prices: z.record(z.string().max(200), decimal),
  /** Optional one-shot endpoint behind zk-rln payments (anonymous, no escrow). */
  oneShot: z
    .looseObject({ endpoint: z.string().min(1).max(2048), pool: z.string().regex(/^0x[0-9a-fA-F]{40}$/) })
    .optional(),
})
export type JobService = z.output<typeof jobServiceSchema>

export function escrowId(chainId: number, escrow: Address): string {
  return `eip155:${chainId}:${getAddress(escrow)}`
}

/** The agent's `hermit-job` service on this escrow, checked; undefined when it has none (or a bad one). */
export function jobServiceOf(services: readonly Service[], chainId: number, escrow: Address): JobService | undefined {
  for (const s of services) {
    if (s.name !== JOB_SERVICE) continue
    const parsed = jobServiceSchema.safeParse(s)
    if (!parsed.success) continue
    const [, listedChain, listedEscrow = ''] = parsed.data.escrow.split(':')
    if (Number(listedChain) !== chainId) continue
    if (!isAddress(listedEscrow, { strict: false }) || !isAddressEqual(listedEscrow, escrow)) continue
    return parsed.data
  }
  return undefined
}

export function requireJobService(
  services: readonly Service[],
  chainId: number,
  escrow: Address,
  agentId: bigint,
): JobService {
  const s = jobServiceOf(services, chainId, escrow)
  if (!s)
    throw new AgentError('AGENTS_NO_SERVICE', `Agent ${agentId} lists no usable ${JOB_SERVICE} service on this escrow.`)
  return s
}
