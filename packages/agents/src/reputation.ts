import { getAbiItem, type Address } from 'viem'
import { hermitJobHookAbi } from '@hermit/contracts'
import { getLogsPaged, getSummary, type Erc8004Client } from '@hermit/erc8004'
import { getJob, type Escrow } from './escrow.ts'

export type JobReputation = {
  agentId: bigint
  /** Jobs that ended with feedback from the hook (completed or rejected by their evaluator). */
  jobs: number
  completed: number
  rejected: number
  /** Plain average of the evaluators' values (0–100), or null with no jobs. */
  average: number | null
  /** The same average weighted by each job's budget: faking it costs real escrowed money. */
  weightedAverage: number | null
  /** Budgets paid to the agent for completed jobs, in base units of the payment token. */
  earned: bigint
  /** What the ERC-8004 registry itself says, counting only the hook's feedback (tag1 `job`). */
  registry: { count: bigint; value: bigint; valueDecimals: number }
}

/**
 * An agent's job reputation: only feedback written by the job hook counts (so only paid jobs),
 * each job's budget is read from the escrow itself — not from the feedback file — and weights it.
 */
export async function jobReputation(escrow: Escrow, erc8004: Erc8004Client, agentId: bigint): Promise<JobReputation> {
  const logs = await getLogsPaged(escrow.publicClient, {
    address: escrow.hook,
    event: getAbiItem({ abi: hermitJobHookAbi, name: 'JobFeedback' }),
    args: { agentId },
    ...(escrow.fromBlock === undefined ? {} : { fromBlock: escrow.fromBlock }),
  })
  let sum = 0
  let weighted = 0n
  let weights = 0n
  let earned = 0n
  let completed = 0
  for (const l of logs) {
    const { jobId, value, valueDecimals, completed: ok } = l.args as { jobId: bigint; value: bigint; valueDecimals: number; completed: boolean }
    const job = await getJob(escrow, jobId)
    const v = Number(value) / 10 ** valueDecimals
    sum += v
    weighted += (value * job.budget * 100n) / 10n ** BigInt(valueDecimals)
    weights += job.budget
    if (ok) {
      completed++
      earned += job.budget
    }
  }
  const registry = await getSummary(erc8004, agentId, [escrow.hook as Address], 'job')
  return {
    agentId,
    jobs: logs.length,
    completed,
    rejected: logs.length - completed,
    average: logs.length === 0 ? null : sum / logs.length,
    weightedAverage: weights === 0n ? null : Number(weighted / weights) / 100,
    earned,
    registry,
  }
}
