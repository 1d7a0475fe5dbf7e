import { keccak256, stringToHex, type Address, type Hash, type LocalAccount } from 'viem'
import { z } from 'zod'
import { getAgent, type Erc8004Client } from '@hermit/erc8004'
import { generateObject, untrusted, UNTRUSTED_NOTICE, type LlmProvider } from '@hermit/llm'
import { shortMessageOf } from '@hermit/errors'
import { AgentError, DeliverableError } from './errors.ts'
import { completeJob, getJob, rejectJob, type Job } from './escrow.ts'
import type { Escrow } from './handle.ts'
import { agentOfJob } from './hook.ts'
import { JobLoop } from './loop.ts'
import { JobScanner } from './scan.ts'
import { fetchDeliverable } from './deliverable.ts'
import { parseJobRequest, requireJobService, type JobRequest } from './job-request.ts'

/** An evaluator's judgment of a deliverable: pass or fail, a 0–100 score for the feedback, and why. */
export type Evaluation = { ok: boolean; score: number; reason: string; modelConsulted?: boolean; modelNote?: string }

export type Checker = (ctx: {
  job: Job
  request: JobRequest
  deliverable: Uint8Array
}) => Promise<Evaluation> | Evaluation

/**
 * Adds a local model's review on top of deterministic checks. The model may lower the evaluation
 * (raise an alarm), never raise it: a deliverable the checks fail stays failed. The request and
 * the deliverable reach the model as untrusted data. With no model, says so and keeps the checks.
 */
export function withModelReview(checks: Checker, model: LlmProvider, options: { timeoutMs?: number } = {}): Checker {
  const schema = z.strictObject({
    acceptable: z.boolean(),
    score: z.number().int().min(0).max(100),
    why: z.string().max(500),
  })
  return async (ctx) => {
    const base = await checks(ctx)
    if (!base.ok)
      return { ...base, modelConsulted: false, modelNote: 'not consulted: the deterministic checks already failed' }
    const text = new TextDecoder().decode(ctx.deliverable).slice(0, 8_000)
    const r = await generateObject(model, {
      schema,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      messages: [
        {
          role: 'system',
          content: `You check work an agent delivered for a job. ${UNTRUSTED_NOTICE} Answer with JSON.`,
        },
        {
          role: 'user',
          content: JSON.stringify({
            skill: ctx.request.skill,
            request: untrusted(ctx.request.input),
            deliverable: untrusted(text),
          }),
        },
      ],
    })
    if (!r.consulted) return { ...base, modelConsulted: false, modelNote: r.reason }
    const score = Math.min(base.score, r.value.score)
    return r.value.acceptable
      ? { ...base, score, modelConsulted: true, modelNote: r.value.why }
      : { ok: false, score: Math.min(score, 20), reason: `model: ${r.value.why}`, modelConsulted: true }
  }
}

export type EvaluatorEvent =
  | { kind: 'evaluated'; jobId: bigint; evaluation: Evaluation; tx: Hash }
  | { kind: 'failed'; jobId: bigint; reason: string }

/** Fetches a submitted job's deliverable (hash-checked), judges it, and completes or rejects the job. */
export async function evaluateJob(options: {
  escrow: Escrow
  erc8004: Erc8004Client
  account: LocalAccount
  check: Checker
  jobId: bigint
}): Promise<{ evaluation: Evaluation; tx: Hash }> {
  const job = await getJob(options.escrow, options.jobId)
  if (job.status !== 'Submitted')
    throw new AgentError('AGENTS_NOT_SUBMITTED', `Job ${options.jobId} is ${job.status}, not Submitted.`)
  const parsed = parseJobRequest(job.description)
  let evaluation: Evaluation
  if (!parsed.ok) evaluation = { ok: false, score: 0, reason: `the job's request is malformed: ${parsed.reason}` }
  else {
    let deliverable: Uint8Array | undefined
    try {
      deliverable = await fetchDeliverable({
        endpoint: await providerEndpoint(options.escrow, options.erc8004, job),
        escrow: options.escrow,
        jobId: job.jobId,
        expected: job.deliverable,
        account: options.account,
      })
    } catch (error) {
      // a deliverable that does not match its hash is a failure; one that cannot be reached is retried later
      if (!(error instanceof DeliverableError) || error.code !== 'AGENTS_DELIVERABLE_MISMATCH') throw error
      evaluation = { ok: false, score: 0, reason: 'the deliverable served does not match the submitted hash' }
    }
    evaluation ??= await options.check({ job, request: parsed.request, deliverable: deliverable! })
  }
  const reason = keccak256(stringToHex(evaluation.reason))
  const score = { value: BigInt(Math.max(0, Math.min(100, Math.round(evaluation.score)))), decimals: 0 }
  const receipt = evaluation.ok
    ? await completeJob(options.escrow, job.jobId, reason, score)
    : await rejectJob(options.escrow, job.jobId, reason, score)
  return { evaluation, tx: receipt.transactionHash }
}

/** The provider submitted a hash but does not serve the work: nothing can be checked, so it fails. */
async function rejectUnserved(escrow: Escrow, jobId: bigint): Promise<{ evaluation: Evaluation; tx: Hash }> {
  const evaluation: Evaluation = {
    ok: false,
    score: 0,
    reason: 'the provider does not serve the deliverable it submitted',
  }
  const receipt = await rejectJob(escrow, jobId, keccak256(stringToHex(evaluation.reason)), { value: 0n, decimals: 0 })
  return { evaluation, tx: receipt.transactionHash }
}

async function providerEndpoint(escrow: Escrow, erc8004: Erc8004Client, job: Job): Promise<string> {
  const agentId = await agentOfJob(escrow, job.jobId)
  const agent = await getAgent(erc8004, agentId)
  return requireJobService(agent.registration?.services ?? [], escrow.publicClient.chain.id, escrow.address, agentId)
    .endpoint
}

/**
 * An evaluator agent: follows the jobs naming it as evaluator and judges each one once it is
 * submitted. Its state is the chain's: a restarted evaluator finds the jobs still waiting.
 */
export class EvaluatorAgent {
  private readonly loop = new JobLoop(() => this.pass())
  private readonly unreachableSince = new Map<bigint, number>()
  private readonly failures = new Map<bigint, { n: number; retryAt: number }>()
  private scanner: JobScanner | undefined

  constructor(
    private readonly options: {
      escrow: Escrow
      erc8004: Erc8004Client
      account: LocalAccount
      check: Checker
      pollMs?: number
      /** A provider that does not serve a submitted deliverable for this long is rejected (default 60 s). */
      unreachableAfterMs?: number
      onEvent?: (e: EvaluatorEvent) => void
    },
  ) {
    if (!options.escrow.walletClient)
      throw new AgentError('AGENTS_NO_WALLET', 'An evaluator needs an escrow handle with its wallet.')
  }

  get address(): Address {
    return this.options.account.address
  }

  start(): this {
    void this.tick()
    this.loop.every(this.options.pollMs ?? 500)
    return this
  }

  async stop(): Promise<void> {
    await this.loop.stop()
  }

  tick(): Promise<void> {
    return this.loop.tick()
  }

  private async pass(): Promise<void> {
    this.scanner ??= new JobScanner(this.options.escrow, this.address, 'evaluator')
    const jobs = await this.scanner.poll().catch(() => [] as Job[])
    for (const job of jobs) {
      if (job.status !== 'Submitted' || this.loop.has(job.jobId)) continue
      const failed = this.failures.get(job.jobId)
      const since = this.unreachableSince.get(job.jobId)
      const giveUp = since !== undefined && Date.now() - since > (this.options.unreachableAfterMs ?? 60_000)
      if (failed && Date.now() < failed.retryAt && !giveUp) continue // back off after failures
      const run = (
        giveUp ? rejectUnserved(this.options.escrow, job.jobId) : evaluateJob({ ...this.options, jobId: job.jobId })
      ).then(
        ({ evaluation, tx }) => {
          this.unreachableSince.delete(job.jobId)
          this.options.onEvent?.({ kind: 'evaluated', jobId: job.jobId, evaluation, tx })
        },
        (error: unknown) => {
          // no endpoint at all counts as not serving too (a provider could drop its service entry)
          const unserved =
            (error instanceof DeliverableError && error.code === 'AGENTS_DELIVERABLE_UNAVAILABLE') ||
            (error instanceof AgentError && error.code === 'AGENTS_NO_SERVICE')
          if (unserved && !this.unreachableSince.has(job.jobId)) this.unreachableSince.set(job.jobId, Date.now())
          const n = (this.failures.get(job.jobId)?.n ?? 0) + 1
          this.failures.set(job.jobId, {
            n,
            retryAt: Date.now() + Math.min(30_000, (this.options.pollMs ?? 500) * 2 ** Math.min(n, 6)),
          })
          this.options.onEvent?.({ kind: 'failed', jobId: job.jobId, reason: shortMessageOf(error) })
        },
      )
      this.loop.run(job.jobId, run)
    }
  }
}
