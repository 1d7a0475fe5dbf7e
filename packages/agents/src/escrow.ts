import {
  encodeAbiParameters,
  keccak256,
  parseEventLogs,
  type Account,
  type Address,
  type Chain,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { agenticCommerceAbi, devTokenAbi, hermitJobHookAbi } from '@hermit/contracts'
import { revertReason } from '@hermit/erc8004'
import { AgentError, JobRevertError } from './errors.ts'
import { JobScanner } from './scan.ts'

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

/** One escrow (and the job hook its jobs use), one chain; a wallet only for writes. */
export type Escrow = {
  publicClient: PublicClient<Transport, Chain>
  walletClient?: WalletClient<Transport, Chain, Account>
  address: Address
  /** Hermit's job hook (bond, reputation, validation), or the zero address for none. */
  hook: Address
  /** Block the escrow was deployed at, for event scans. */
  fromBlock?: bigint
}

export function escrowFromDeployments(
  d: { contracts: Record<string, { address: Address; blockNumber: bigint }> },
  clients: Pick<Escrow, 'publicClient' | 'walletClient'>,
): Escrow {
  const acp = d.contracts.AgenticCommerce
  const hook = d.contracts.HermitJobHook
  if (!acp || !hook)
    throw new AgentError('AGENTS_NO_ESCROW', 'The deployments have no AgenticCommerce / HermitJobHook.', {
      hint: 'Redeploy with the current @hermit/devnet plan.',
    })
  return { ...clients, address: acp.address, hook: hook.address, fromBlock: acp.blockNumber }
}

export function withWallet(e: Escrow, walletClient: WalletClient<Transport, Chain, Account>): Escrow {
  return { ...e, walletClient }
}

function wallet(e: Escrow): WalletClient<Transport, Chain, Account> {
  if (!e.walletClient)
    throw new AgentError('AGENTS_NO_WALLET', 'This escrow handle has no wallet.', {
      hint: 'withWallet(escrow, walletClient)',
    })
  return e.walletClient
}

/** Simulates first (the revert names the contract's error), sends, waits for the receipt. */
async function send(
  e: Escrow,
  call: {
    address: Address
    abi: typeof agenticCommerceAbi | typeof hermitJobHookAbi | typeof devTokenAbi
    functionName: string
    args: readonly unknown[]
  },
): Promise<TransactionReceipt> {
  const w = wallet(e)
  let hash: Hash
  try {
    const { request } = await e.publicClient.simulateContract({ ...call, account: w.account } as never)
    hash = await w.writeContract(request as never)
  } catch (cause) {
    const reason = revertReason(cause) ?? (cause as Error)?.message?.split('\n')[0]
    throw new JobRevertError('JOB_REVERTED', `${call.functionName} reverted: ${reason}`, {
      details: { functionName: call.functionName, reason },
      cause,
    })
  }
  const receipt = await e.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success')
    throw new JobRevertError('JOB_REVERTED', `${call.functionName} reverted on-chain (${hash}).`, { details: { hash } })
  return receipt
}

const acpCall = (e: Escrow, functionName: string, args: readonly unknown[]) =>
  send(e, { address: e.address, abi: agenticCommerceAbi, functionName, args })

export async function getJob(e: Escrow, jobId: bigint): Promise<Job> {
  const j = await e.publicClient.readContract({
    address: e.address,
    abi: agenticCommerceAbi,
    functionName: 'getJob',
    args: [jobId],
  })
  return { jobId, ...j, status: JOB_STATUS[j.status]!, expiredAt: BigInt(j.expiredAt) }
}

/** Creates an Open job; the caller is its client. Returns the job id. */
export async function createJob(
  e: Escrow,
  a: { provider: Address; evaluator: Address; expiredAt: bigint; description: string; hook?: Address },
): Promise<{ jobId: bigint; receipt: TransactionReceipt }> {
  const receipt = await acpCall(e, 'createJob', [a.provider, a.evaluator, a.expiredAt, a.description, a.hook ?? e.hook])
  const [created] = parseEventLogs({ abi: agenticCommerceAbi, eventName: 'JobCreated', logs: receipt.logs })
  if (!created) throw new AgentError('AGENTS_NO_EVENT', 'createJob emitted no JobCreated event.')
  return { jobId: created.args.jobId, receipt }
}

export const setBudget = (e: Escrow, jobId: bigint, amount: bigint, optParams: Hex = '0x') =>
  acpCall(e, 'setBudget', [jobId, amount, optParams])
export const setProvider = (e: Escrow, jobId: bigint, provider: Address, optParams: Hex = '0x') =>
  acpCall(e, 'setProvider', [jobId, provider, optParams])

/** Escrows the budget (approving the escrow first when needed). With the job hook, only after the provider accepted. */
export async function fund(e: Escrow, jobId: bigint, expectedBudget: bigint): Promise<TransactionReceipt> {
  await approve(e, e.address, expectedBudget)
  return acpCall(e, 'fund', [jobId, expectedBudget, '0x'])
}

/** Submits the deliverable's hash; `salt` fixes the validation request hash (see validationRequestHash). */
export const submit = (e: Escrow, jobId: bigint, deliverable: Hash, salt?: Hash) =>
  acpCall(e, 'submit', [jobId, deliverable, salt ? encodeAbiParameters([{ type: 'bytes32' }], [salt]) : '0x'])

/** The evaluator's score travels to the hook as `abi.encode(int128 value, uint8 decimals)`. */
export function attestation(score?: { value: bigint; decimals?: number }): Hex {
  return score ? encodeAbiParameters([{ type: 'int128' }, { type: 'uint8' }], [score.value, score.decimals ?? 0]) : '0x'
}

export const complete = (e: Escrow, jobId: bigint, reason: Hash, score?: { value: bigint; decimals?: number }) =>
  acpCall(e, 'complete', [jobId, reason, attestation(score)])
export const reject = (e: Escrow, jobId: bigint, reason: Hash, score?: { value: bigint; decimals?: number }) =>
  acpCall(e, 'reject', [jobId, reason, attestation(score)])
export const claimRefund = (e: Escrow, jobId: bigint) => acpCall(e, 'claimRefund', [jobId])

// values fixed at deployment, read once per contract
const fixed = new Map<string, Promise<unknown>>()
function once<T>(key: string, read: () => Promise<T>): Promise<T> {
  let hit = fixed.get(key) as Promise<T> | undefined
  if (!hit) {
    hit = read()
    hit.catch(() => fixed.delete(key)) // a failed read is retried next time
    fixed.set(key, hit)
  }
  return hit
}

export function paymentToken(e: Escrow): Promise<Address> {
  return once(`${e.publicClient.chain.id}:${e.address}:token`, () =>
    e.publicClient.readContract({ address: e.address, abi: agenticCommerceAbi, functionName: 'paymentToken' }),
  )
}

/** Raises the wallet's allowance for `spender` to at least `amount` of the payment token. */
export async function approve(e: Escrow, spender: Address, amount: bigint): Promise<void> {
  const token = await paymentToken(e)
  const owner = wallet(e).account.address
  const current = await e.publicClient.readContract({
    address: token,
    abi: devTokenAbi,
    functionName: 'allowance',
    args: [owner, spender],
  })
  if (current >= amount) return
  await send(e, { address: token, abi: devTokenAbi, functionName: 'approve', args: [spender, amount] })
}

export async function tokenBalance(e: Escrow, who: Address): Promise<bigint> {
  return e.publicClient.readContract({
    address: await paymentToken(e),
    abi: devTokenAbi,
    functionName: 'balanceOf',
    args: [who],
  })
}

// ---------------------------------------------------------------- hook

export type Bond = {
  provider: Address
  client: Address
  amount: bigint
  submitted: boolean
  settled: boolean
  submittedAt: bigint
}

export async function bondOf(e: Escrow, jobId: bigint): Promise<Bond> {
  const [provider, client, amount, submitted, settled, submittedAt] = await e.publicClient.readContract({
    address: e.hook,
    abi: hermitJobHookAbi,
    functionName: 'bonds',
    args: [jobId],
  })
  return { provider, client, amount, submitted, settled, submittedAt: BigInt(submittedAt) }
}

/** The provider's bond for a budget under this hook (what it must approve to accept the job). */
export async function bondFor(e: Escrow, budget: bigint): Promise<bigint> {
  const bps = await once(`${e.publicClient.chain.id}:${e.hook}:bps`, () =>
    e.publicClient.readContract({ address: e.hook, abi: hermitJobHookAbi, functionName: 'bondBps' }),
  )
  return (budget * bps) / 10_000n
}

/** After an expiry, does the bond go back to the provider? Only for a delivery made a review window before the expiry. */
export async function expiredBondToProvider(e: Escrow, bond: Bond, expiredAt: bigint): Promise<boolean> {
  const review = await once(`${e.publicClient.chain.id}:${e.hook}:review`, () =>
    e.publicClient.readContract({ address: e.hook, abi: hermitJobHookAbi, functionName: 'reviewSeconds' }),
  )
  return bond.submitted && bond.submittedAt + BigInt(review) <= expiredAt
}

/**
 * The provider takes the job on its current terms (client, evaluator, expiry) at `budget`, needing
 * `minWorkSeconds` once funded. Without it the hook refuses funding: nobody can lock a bond, or
 * write feedback about an agent, with a job it never took.
 */
export const acceptJob = (e: Escrow, jobId: bigint, budget: bigint, minWorkSeconds: bigint, agentId: bigint) =>
  send(e, {
    address: e.hook,
    abi: hermitJobHookAbi,
    functionName: 'acceptJob',
    args: [jobId, budget, minWorkSeconds, agentId],
  })

export type Acceptance = { accepted: boolean; terms: Hash; minWorkSeconds: bigint; agentId: bigint }

export async function acceptanceOf(e: Escrow, jobId: bigint): Promise<Acceptance> {
  const [terms, minWorkSeconds, accepted, agentId] = await e.publicClient.readContract({
    address: e.hook,
    abi: hermitJobHookAbi,
    functionName: 'acceptances',
    args: [jobId],
  })
  return { terms, minWorkSeconds: BigInt(minWorkSeconds), accepted, agentId }
}

/** The hash the hook keeps for an acceptance, to check it still matches the job as it is. */
export function acceptanceTerms(
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

/** After an expiry: returns the bond to a provider that delivered, or pays it to the client. */
export const settleExpiredBond = (e: Escrow, jobId: bigint) =>
  send(e, { address: e.hook, abi: hermitJobHookAbi, functionName: 'settleExpired', args: [jobId] })

/** The ERC-8004 validation request a provider makes, before submitting, for this deliverable and salt. */
export async function validationRequestHash(e: Escrow, jobId: bigint, deliverable: Hash, salt: Hash): Promise<Hash> {
  return e.publicClient.readContract({
    address: e.hook,
    abi: hermitJobHookAbi,
    functionName: 'validationRequestHash',
    args: [jobId, deliverable, salt],
  })
}

/** The request hash the hook fixed when the job was submitted (zero before). */
export async function jobRequestHash(e: Escrow, jobId: bigint): Promise<Hash> {
  return e.publicClient.readContract({
    address: e.hook,
    abi: hermitJobHookAbi,
    functionName: 'requestHashOf',
    args: [jobId],
  })
}

/** The agent the provider accepted the job as. */
export async function agentOfJob(e: Escrow, jobId: bigint): Promise<bigint> {
  return (await acceptanceOf(e, jobId)).agentId
}

// ---------------------------------------------------------------- reads over many jobs

/** Jobs where `who` is client, provider or evaluator, read back from the chain (not from memory). */
export async function jobsOf(e: Escrow, who: Address, role: 'client' | 'provider' | 'evaluator'): Promise<Job[]> {
  // a fresh scanner reads the whole history once: final jobs included
  return new JobScanner(e, who, role).poll()
}

/** The chain's clock (the latest block's timestamp): expiry is decided by it, not by this machine's. */
export async function chainTime(e: Escrow): Promise<bigint> {
  return (await e.publicClient.getBlock({ blockTag: 'latest' })).timestamp
}
