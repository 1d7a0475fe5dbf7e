// Hermit's job hook: the provider's acceptance and bond, the expiry settlement, the validation request.
import { encodeAbiParameters, keccak256, type Address, type Hash } from 'viem'
import { hermitJobHookAbi } from '@hermit/contracts'
import { readContract, writeAndWait } from '@hermit/chain'
import type { Escrow } from './handle.ts'
import type { Job } from './escrow.ts'

export type Bond = {
  provider: Address
  client: Address
  amount: bigint
  submitted: boolean
  settled: boolean
  submittedAt: bigint
}

/** The bond the hook holds (or held) for a job: zero before funding. */
export async function lockedBond(escrow: Escrow, jobId: bigint): Promise<Bond> {
  const [provider, client, amount, submitted, settled, submittedAt] = await readContract(escrow.publicClient, {
    address: escrow.hook,
    abi: hermitJobHookAbi,
    functionName: 'bonds',
    args: [jobId],
  })
  return { provider, client, amount, submitted, settled, submittedAt: BigInt(submittedAt) }
}

/** The bond a provider must approve to the hook to take a job at `budget` (none is locked yet). */
export async function requiredBond(escrow: Escrow, budget: bigint): Promise<bigint> {
  return (budget * (await escrow.constants.bondBps())) / 10_000n
}

/** After an expiry, does the bond go back to the provider? Only for a delivery made a review window before the expiry. */
export async function expiredBondToProvider(escrow: Escrow, bond: Bond, expiredAt: bigint): Promise<boolean> {
  return bond.submitted && bond.submittedAt + (await escrow.constants.reviewSeconds()) <= expiredAt
}

/** After an expiry (anyone): returns the bond to a provider that delivered in time, or pays it to the client. */
export const settleExpiredBond = (escrow: Escrow, jobId: bigint) =>
  writeAndWait(escrow, { address: escrow.hook, abi: hermitJobHookAbi, functionName: 'settleExpired', args: [jobId] })

/**
 * The provider takes the job on its current terms (client, evaluator, expiry) at `budget`, needing
 * `minWorkSeconds` once funded. Without it the hook refuses funding: nobody can lock a bond, or
 * write feedback about an agent, with a job it never took.
 */
export const acceptJob = (escrow: Escrow, jobId: bigint, budget: bigint, minWorkSeconds: bigint, agentId: bigint) =>
  writeAndWait(escrow, {
    address: escrow.hook,
    abi: hermitJobHookAbi,
    functionName: 'acceptJob',
    args: [jobId, budget, minWorkSeconds, agentId],
  })

/** What the hook recorded when the provider accepted (`terms` is zero before). */
export type Acceptance = { accepted: boolean; terms: Hash; minWorkSeconds: bigint; agentId: bigint }

/** The acceptance the hook recorded for a job. */
export async function recordedAcceptance(escrow: Escrow, jobId: bigint): Promise<Acceptance> {
  const [terms, minWorkSeconds, accepted, agentId] = await readContract(escrow.publicClient, {
    address: escrow.hook,
    abi: hermitJobHookAbi,
    functionName: 'acceptances',
    args: [jobId],
  })
  return { terms, minWorkSeconds: BigInt(minWorkSeconds), accepted, agentId }
}

/** The hash an acceptance of `job` at `budget` records: compare with `recordedAcceptance(…).terms`. */
export function acceptanceTermsHash(
  job: Pick<Job, 'client' | 'provider' | 'evaluator' | 'expiredAt'>,
  budget: bigint,
): Hash {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'address' }, { type: 'address' }, { type: 'address' }, { type: 'uint64' }, { type: 'uint256' }],
      [job.client, job.provider, job.evaluator, job.expiredAt, budget],
    ),
  )
}

/** The agent the provider accepted the job as. */
export async function agentOfJob(escrow: Escrow, jobId: bigint): Promise<bigint> {
  return (await recordedAcceptance(escrow, jobId)).agentId
}

/** The ERC-8004 validation request a provider makes, before submitting, for this deliverable and salt. */
export async function validationRequestHash(
  escrow: Escrow,
  jobId: bigint,
  deliverable: Hash,
  salt: Hash,
): Promise<Hash> {
  return readContract(escrow.publicClient, {
    address: escrow.hook,
    abi: hermitJobHookAbi,
    functionName: 'validationRequestHash',
    args: [jobId, deliverable, salt],
  })
}

/** The request hash the hook fixed when the job was submitted (zero before). */
export async function jobRequestHash(escrow: Escrow, jobId: bigint): Promise<Hash> {
  return readContract(escrow.publicClient, {
    address: escrow.hook,
    abi: hermitJobHookAbi,
    functionName: 'requestHashOf',
    args: [jobId],
  })
}
