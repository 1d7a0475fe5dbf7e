import { keccak256, type Hash } from 'viem'
import { requireWallet } from '@hermit/chain'
import { requestValidation, validationStatus } from '@hermit/erc8004'
import { shortMessageOf } from '@hermit/errors'
import { deliverableHash, type DeliverableStore } from '../deliverable.ts'
import { AgentError } from '../errors.ts'
import { getJob, submitWork, type Job } from '../escrow.ts'
import { chainTime } from '../handle.ts'
import { lockedBond, settleExpiredBond, validationRequestHash } from '../hook.ts'
import { parseJobRequest } from '../job-request.ts'
import { JobLoop } from '../loop.ts'
import { JobScanner } from '../scan.ts'
import { Quoter } from './quotes.ts'
import type { ProviderEvent, ProviderOptions } from './types.ts'

/**
 * The provider's job loop, for one registered agent: follows the jobs addressed to it on-chain and
 * takes each one step — quote it (Open), do the work and submit it (Funded), settle the bond
 * after an expiry (final). Every step is decided from the job's state on-chain, so a restarted
 * provider picks up where it stopped.
 */
export class ProviderJobs {
  private readonly loop = new JobLoop(() => this.pass())
  private readonly done = new Set<bigint>()
  /** Jobs whose work was done too late to submit (reported once). */
  private readonly abandoned = new Set<bigint>()
  private readonly abort = new AbortController()
  private readonly scanner: JobScanner
  private readonly quotes: Quoter
  /** The tail of this wallet's queue of chain writes (see `serially`). */
  private writes: Promise<unknown> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly options: ProviderOptions,
    private readonly agent: {
      agentId: bigint
      /** Where the provider serves its jobs (the validation request points there). */
      url: string
      store: DeliverableStore
      emit: (event: ProviderEvent) => void
    },
  ) {
    this.scanner = new JobScanner(options.escrow, requireWallet(options.escrow).account.address, 'provider')
    this.quotes = new Quoter(options)
  }

  /** A first pass, then one every `pollMs`. */
  async start(): Promise<void> {
    await this.tick()
    if (this.stopped) return
    this.loop.every(this.options.pollMs ?? 500)
  }

  /** Stops following jobs; work in progress is abandoned (what reached disk is kept). */
  async stop(): Promise<void> {
    this.stopped = true
    this.abort.abort()
    await this.loop.stop()
  }

  /** One pass over every job addressed to this provider. Safe to call any time. */
  tick(): Promise<void> {
    return this.loop.tick()
  }

  private async pass(): Promise<void> {
    let jobs: Job[]
    try {
      jobs = await this.scanner.poll()
      this.quotes.prune(jobs)
    } catch {
      return // the RPC will be back on the next tick
    }
    for (const job of jobs) {
      if (this.stopped) return
      if (this.done.has(job.jobId) || this.loop.has(job.jobId)) continue
      this.loop.run(job.jobId, this.step(job))
    }
  }

  private async step(job: Job): Promise<void> {
    try {
      if (job.status === 'Open') await this.quote(job)
      else if (job.status === 'Funded') await this.work(job)
      else if (job.status === 'Submitted')
        return // the evaluator's move
      else await this.settle(job)
    } catch (error) {
      this.agent.emit({ kind: 'failed', jobId: job.jobId, reason: shortMessageOf(error) })
    }
  }

  /**
   * Runs `steps` after every write step started before it has settled. Jobs are taken in parallel,
   * but they share one wallet: two transactions sent at once would get the same nonce, and two
   * quotes decided at once could both see room under `maxOpenQuotes`.
   */
  private serially<T>(steps: () => Promise<T>): Promise<T> {
    const run = this.writes.then(steps, steps)
    this.writes = run.catch(() => {})
    return run
  }

  private decline(job: Job, reason: string): void {
    this.done.add(job.jobId)
    this.agent.emit({ kind: 'declined', jobId: job.jobId, reason })
  }

  /** Open: quoted (or declined, which is not quoting it). */
  private async quote(job: Job): Promise<void> {
    const outcome = await this.serially(() => this.quotes.quote(job, this.agent.agentId))
    if (outcome.kind === 'declined') this.decline(job, outcome.reason)
    else if (outcome.kind === 'quoted')
      this.agent.emit({ kind: 'quoted', jobId: job.jobId, price: outcome.price, bond: outcome.bond })
  }

  /** Funded: do the work (once: the deliverable is kept on disk before its hash goes on-chain). */
  private async work(job: Job): Promise<void> {
    const { escrow } = this.options
    const store = this.agent.store
    let bytes = store.get(escrow.address, job.jobId)
    if (!bytes) {
      this.quotes.forget(job.jobId)
      const parsed = parseJobRequest(job.description)
      const skill = parsed.ok ? this.options.skills[parsed.request.skill] : undefined
      if (!parsed.ok || !skill) return this.decline(job, 'funded, but not a job this provider can do')
      if (job.budget < skill.price) return this.decline(job, `funded at ${job.budget}, below its price ${skill.price}`)
      this.agent.emit({ kind: 'working', jobId: job.jobId, skill: parsed.request.skill })
      const signal = AbortSignal.any([AbortSignal.timeout(this.options.handlerTimeoutMs ?? 60_000), this.abort.signal])
      // a handler that ignores its signal still loses the race: the job is not held forever
      const stopped = new Promise<never>((_, reject) => {
        const fail = () =>
          reject(
            new AgentError(
              'AGENTS_HANDLER_ABORTED',
              `The handler for job ${job.jobId} was stopped or ran out of time.`,
            ),
          )
        if (signal.aborted) fail()
        else signal.addEventListener('abort', fail, { once: true })
      })
      const out = await Promise.race([skill.handler({ kind: 'job', job, request: parsed.request, signal }), stopped])
      bytes = typeof out === 'string' ? new TextEncoder().encode(out) : out
      store.put(escrow.address, job.jobId, bytes)
    }
    const deliverable = bytes
    await this.serially(() => this.submit(job, deliverable))
  }

  /** The work is on disk: submit its hash, unless the job moved on meanwhile. */
  private async submit(job: Job, bytes: Uint8Array): Promise<void> {
    const { escrow } = this.options
    // the chain may have moved on while we worked (an expiry, an evaluator's rejection)
    const now = await getJob(escrow, job.jobId)
    if (this.stopped) return
    const late =
      now.status !== 'Funded'
        ? `the job is ${now.status}`
        : (await chainTime(escrow)) >= now.expiredAt
          ? 'the job has expired'
          : undefined
    if (late) {
      // said once; the job stays followed, so an expiry still settles its bond
      if (!this.abandoned.has(job.jobId))
        this.agent.emit({ kind: 'abandoned', jobId: job.jobId, reason: `${late}: the work stays on disk, unsubmitted` })
      this.abandoned.add(job.jobId)
      return
    }
    const hash = deliverableHash(bytes)
    const salt = await this.salt(job.jobId, hash)
    await this.askValidation(job.jobId, hash, salt)
    await submitWork(escrow, job.jobId, hash, salt)
    this.agent.emit({ kind: 'submitted', jobId: job.jobId, deliverable: hash, bytes: bytes.length })
  }

  /**
   * The salt of the validation request: this wallet's signature over the job and deliverable, so it
   * is the same after a restart and unknown to anyone else until the submission reveals it.
   */
  private async salt(jobId: bigint, deliverable: Hash): Promise<Hash> {
    const { escrow } = this.options
    const wallet = requireWallet(escrow)
    return keccak256(
      await wallet.signMessage({
        account: wallet.account,
        message: `hermit job validation salt\nescrow ${escrow.address.toLowerCase()}\njob ${jobId}\ndeliverable ${deliverable}`,
      }),
    )
  }

  /** Before submitting: ask the hook to record the evaluator's decision as an ERC-8004 validation response. */
  private async askValidation(jobId: bigint, deliverable: Hash, salt: Hash): Promise<void> {
    const { escrow, erc8004 } = this.options
    if (!erc8004.registries.validation) return
    const requestHash = await validationRequestHash(escrow, jobId, deliverable, salt)
    const existing = await validationStatus(erc8004, requestHash).catch(() => undefined)
    if (existing) return // asked before a restart
    await requestValidation(erc8004, {
      validator: escrow.hook,
      agentId: this.agent.agentId,
      requestURI: `${this.agent.url}/jobs/${jobId}`,
      requestHash,
    })
  }

  /** Terminal: after an expiry, take the bond back (it was delivered) or release it to the client. */
  private async settle(job: Job): Promise<void> {
    const { escrow } = this.options
    this.quotes.forget(job.jobId)
    if (job.status === 'Expired') {
      const bond = await lockedBond(escrow, job.jobId)
      if (bond.amount > 0n && !bond.settled) await this.serially(() => settleExpiredBond(escrow, job.jobId))
    }
    this.done.add(job.jobId)
    this.agent.emit({ kind: 'settled', jobId: job.jobId, status: job.status })
  }
}
