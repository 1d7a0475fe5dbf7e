import { getAbiItem, isAddressEqual, type Address } from 'viem'
import { agenticCommerceAbi, hermitJobHookAbi } from '@hermit/contracts'
import { getLogsPaged, readContract } from '@hermit/chain'
import { getSummary, type Erc8004Client } from '@hermit/erc8004'
import type { Escrow } from './handle.ts'

export type JobReputation = {
  agentId: bigint
  /** Funded jobs that ended by the evaluator's decision (completed or rejected), from the hook's JobOutcome events. */
  jobs: number
  completed: number
  rejected: number
  /** Plain average of the evaluators' values (0–100), or null with no jobs. */
  average: number | null
  /** The same average weighted by each job's budget: faking it costs real escrowed money. */
  weightedAverage: number | null
  /** Budgets paid to the agent for completed jobs, in base units of the payment token. */
  earned: bigint
  /** Different clients and evaluators behind those jobs: one party's many jobs are one opinion. */
  clients: number
  evaluators: number
  /** What the ERC-8004 registry itself says, counting only the hook's feedback (tag1 `job`). */
  registry: { count: bigint; value: bigint; valueDecimals: number }
}

/**
 * An agent's job reputation: only the job hook's outcomes count (so only jobs that were really
 * escrowed and that the agent accepted; emitted even when a registry refused the feedback, so a
 * provider cannot hide a rejection), each job's budget is read from the escrow itself —
 * not from the feedback file — and weights it. Escrow alone does not make wash trading expensive (a
 * party paying itself gets its budget back, with no fee): what resists it is counting distinct
 * clients and, above all, naming the evaluators whose attestations you trust.
 */
export async function jobReputation(
  escrow: Escrow,
  erc8004: Erc8004Client,
  agentId: bigint,
  options: { trustedEvaluators?: readonly Address[] } = {},
): Promise<JobReputation> {
  const trusted = options.trustedEvaluators
  const logs = await getLogsPaged(escrow.publicClient, {
    address: escrow.hook,
    event: getAbiItem({ abi: hermitJobHookAbi, name: 'JobOutcome' }),
    args: { agentId },
    ...(escrow.fromBlock === undefined ? {} : { fromBlock: escrow.fromBlock }),
  })
  let sum = 0
  let weighted = 0n
  let weights = 0n
  let earned = 0n
  let completed = 0
  let jobs = 0
  const clients = new Set<string>()
  const evaluators = new Set<string>()
  // the jobs' terms (no descriptions), read together
  const terms = await Promise.all(
    logs.map((l) =>
      readContract(escrow.publicClient, {
        address: escrow.address,
        abi: agenticCommerceAbi,
        functionName: 'getTerms',
        args: [l.args.jobId!],
      }),
    ),
  )
  for (const [k, l] of logs.entries()) {
    const {
      value,
      valueDecimals,
      completed: ok,
    } = l.args as { value: bigint; valueDecimals: number; completed: boolean }
    const job = terms[k]!
    // the evaluator is the one attesting: only the ones you trust count, when you name them
    if (trusted && !trusted.some((t) => isAddressEqual(t, job.evaluator))) continue
    jobs++
    // viem decodes addresses checksummed: one spelling per party
    clients.add(job.client)
    evaluators.add(job.evaluator)
    const v = Number(value) / 10 ** valueDecimals
    sum += v
    weighted += (value * job.budget * 100n) / 10n ** BigInt(valueDecimals)
    weights += job.budget
    if (ok) {
      completed++
      earned += job.budget
    }
  }
  const registry = await getSummary(erc8004, agentId, [escrow.hook], 'job')
  return {
    agentId,
    jobs,
    completed,
    rejected: jobs - completed,
    average: jobs === 0 ? null : sum / jobs,
    weightedAverage: weights === 0n ? null : Number(weighted / weights) / 100,
    earned,
    clients: clients.size,
    evaluators: evaluators.size,
    registry,
  }
}
