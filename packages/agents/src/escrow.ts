// The ERC-8183 escrow (AgenticCommerce): a job's record and every action on it.
import {
  encodeAbiParameters,
  parseEventLogs,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from 'viem'
import { agenticCommerceAbi } from '@hermit/contracts'
import { readContract, writeAndWait } from '@hermit/chain'
import { AgentError } from './errors.ts'
import type { Escrow } from './handle.ts'
import { approvePaymentToken } from './token.ts'

/** ERC-8183 job states, as the escrow numbers them. */
export const JOB_STATUS = ['Open', 'Funded', 'Submitted', 'Completed', 'Rejected', 'Expired'] as const
export type JobStatus = (typeof JOB_STATUS)[number]
export const TERMINAL: readonly JobStatus[] = ['Completed', 'Rejected', 'Expired']

export type Job = {
  jobId: bigint
  client: Address
  provider: Address
  evaluator: Address
  hook: Address
  budget: bigint
  expiredAt: bigint
  status: JobStatus
  deliverable: Hash
  description: string
}

/** The evaluator's score, 0–100 unless `decimals` says otherwise. */
export type Score = { value: bigint; decimals?: number }

export async function getJob(escrow: Escrow, jobId: bigint): Promise<Job> {
  const job = await readContract(escrow.publicClient, {
    address: escrow.address,
    abi: agenticCommerceAbi,
    functionName: 'getJob',
    args: [jobId],
  })
  return { jobId, ...job, status: JOB_STATUS[job.status]!, expiredAt: BigInt(job.expiredAt) }
}

type EscrowWrite = ContractFunctionName<typeof agenticCommerceAbi, 'nonpayable' | 'payable'>

/** Calls one of the escrow's actions from the handle's wallet and waits for the receipt. */
const writeEscrow = <
  const functionName extends EscrowWrite,
  const args extends ContractFunctionArgs<typeof agenticCommerceAbi, 'nonpayable' | 'payable', functionName>,
>(
  escrow: Escrow,
  functionName: functionName,
  args: args,
): Promise<TransactionReceipt> =>
  writeAndWait(escrow, { address: escrow.address, abi: agenticCommerceAbi, functionName, args })

/** Creates an Open job; the caller is its client. Returns the job id. */
export async function createJob(
  escrow: Escrow,
  terms: { provider: Address; evaluator: Address; expiredAt: bigint; description: string; hook?: Address },
): Promise<{ jobId: bigint; receipt: TransactionReceipt }> {
  const receipt = await writeEscrow(escrow, 'createJob', [
    terms.provider,
    terms.evaluator,
    terms.expiredAt,
    terms.description,
    terms.hook ?? escrow.hook,
  ])
  const [created] = parseEventLogs({ abi: agenticCommerceAbi, eventName: 'JobCreated', logs: receipt.logs })
  if (!created) throw new AgentError('AGENTS_NO_EVENT', 'createJob emitted no JobCreated event.')
  return { jobId: created.args.jobId, receipt }
}

/** The provider's quote (or the client's offer) while the job is Open. */
export const setBudget = (escrow: Escrow, jobId: bigint, amount: bigint, optParams: Hex = '0x') =>
  writeEscrow(escrow, 'setBudget', [jobId, amount, optParams])

/** Names the provider of a job created without one. */
export const setProvider = (escrow: Escrow, jobId: bigint, provider: Address, optParams: Hex = '0x') =>
  writeEscrow(escrow, 'setProvider', [jobId, provider, optParams])

/** Escrows the budget (approving the escrow first when needed). With the job hook, only after the provider accepted. */
export async function fundJob(escrow: Escrow, jobId: bigint, expectedBudget: bigint): Promise<TransactionReceipt> {
  await approvePaymentToken(escrow, escrow.address, expectedBudget)
  return writeEscrow(escrow, 'fund', [jobId, expectedBudget, '0x'])
}

/** Submits the deliverable's hash; `salt` fixes the validation request hash (see validationRequestHash). */
export const submitWork = (escrow: Escrow, jobId: bigint, deliverable: Hash, salt?: Hash) =>
  writeEscrow(escrow, 'submit', [jobId, deliverable, salt ? encodeAbiParameters([{ type: 'bytes32' }], [salt]) : '0x'])

/** The evaluator's score travels to the hook as `abi.encode(int128 value, uint8 decimals)`. */
function attestation(score?: Score): Hex {
  return score ? encodeAbiParameters([{ type: 'int128' }, { type: 'uint8' }], [score.value, score.decimals ?? 0]) : '0x'
}

/** The evaluator accepts the work: the provider is paid (and, with the hook, gets its bond back). */
export const completeJob = (escrow: Escrow, jobId: bigint, reason: Hash, score?: Score) =>
  writeEscrow(escrow, 'complete', [jobId, reason, attestation(score)])

/** The evaluator refuses the work (the client refunded, and paid the bond), or the client withdraws an Open job. */
export const rejectJob = (escrow: Escrow, jobId: bigint, reason: Hash, score?: Score) =>
  writeEscrow(escrow, 'reject', [jobId, reason, attestation(score)])

/** After the expiry, anyone: the budget of a Funded or Submitted job goes back to its client. */
export const claimRefund = (escrow: Escrow, jobId: bigint) => writeEscrow(escrow, 'claimRefund', [jobId])
