import { zeroHash, type Address, type LocalAccount } from 'viem'
import { findAgents, getAgent, type Erc8004Client } from '@hermit/erc8004'
import { AgentError, JobRevertError, JobTimeoutError, NoAgentError } from './errors.ts'
import {
  acceptanceOf,
  acceptanceTerms,
  agentOfJob,
  bondOf,
  chainTime,
  expiredBondToProvider,
  claimRefund,
  createJob,
  fund,
  getJob,
  reject,
  settleExpiredBond,
  TERMINAL,
  type Escrow,
  type Job,
} from './escrow.ts'
import { fetchDeliverable } from './deliverable.ts'
import { evaluateJob, type Checker, type Verdict } from './evaluator.ts'
import { encodeJobRequest, jobServiceOf, requireJobService, JOB_SERVICE, type JobService } from './job-request.ts'
import { jobReputation, type JobReputation } from './reputation.ts'

export type Candidate = {
  agentId: bigint
  wallet: Address
  service: JobService
  price: bigint
  reputation: JobReputation
}

export type HireStep =
  | { step: 'candidates'; candidates: Candidate[]; skipped: Array<{ agentId: bigint; reason: string }> }
  | { step: 'created'; jobId: bigint; agentId: bigint; expiredAt: bigint }
  | { step: 'quoted'; jobId: bigint; budget: bigint }
  | { step: 'funded'; jobId: bigint; budget: bigint; bond: bigint }
  | { step: 'submitted'; jobId: bigint }
  | { step: 'withdrawn'; jobId: bigint; reason: string }
  | { step: 'settled'; jobId: bigint; status: Job['status'] }

export type HireOptions = {
  skill: string
  /** What the provider works on (public: it is in the job's on-chain description). */
  input: string
  /** Most it will pay, in base units of the escrow's token. */
  maxPrice: bigint
  /**
   * Trust floor, from paid jobs only (the job hook's JobOutcome events): at least `jobs` of them from at least
   * `clients` different clients, averaging at least `average`; with `evaluators`, only jobs judged by them count.
   */
  minReputation?: { jobs?: number; clients?: number; average?: number; evaluators?: Address[] }
  /** Only this agent (still checked for price and reputation). */
  agentId?: bigint
  /** The evaluator's address, or "self": this client judges with `check`. */
  evaluator: Address | 'self'
  check?: Checker
  /** Expiry of the job in chain seconds from now (default 1 hour): after it the escrow is refundable. */
  expiresIn?: bigint
  /** How long to wait for a quote before withdrawing and trying the next candidate (default 15 s). */
  quoteTimeoutMs?: number
  /** How long hire() waits for the job to end; past it, the job is returned unsettled (resume later). */
  timeoutMs?: number
  pollMs?: number
  onProgress?: (s: HireStep) => void
}

export type HireResult = {
  jobId: bigint
  agentId: bigint
  provider: Address
  status: Job['status']
  budget: bigint
  /** The work, hash-checked against the chain (when completed). */
  deliverable?: Uint8Array
  /** Why the deliverable of a completed job could not be fetched. */
  deliverableError?: string
  /** The verdict, when this client was the evaluator. */
  verdict?: Verdict
  /** The provider's bond: back to the provider, or paid to this client ("none": the job had no bond). */
  bond: { amount: bigint; to: 'provider' | 'client' | 'none' }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Discovery and trust: the agents listing a `hermit-job` service with `skill` on this escrow,
 * within `maxPrice`, above the reputation floor (paid jobs only), best reputation first (an
 * unproven agent counts as 50), then the cheapest. `skipped` says why the others were left out.
 */
export async function findProviders(
  escrow: Escrow,
  erc8004: Erc8004Client,
  o: { skill: string; maxPrice: bigint; minReputation?: HireOptions['minReputation']; exclude?: readonly Address[] },
): Promise<{ candidates: Candidate[]; skipped: Array<{ agentId: bigint; reason: string }> }> {
  const min = o.minReputation ?? {}
  const found = await findAgents(erc8004, { service: JOB_SERVICE, skill: o.skill, active: true })
  const chainId = escrow.publicClient.chain.id
  const skipped = [...found.skipped]
  const candidates: Candidate[] = []
  const excluded = (o.exclude ?? []).map((a) => a.toLowerCase())
  for (const agent of found.agents) {
    const service = agent.registration && jobServiceOf(agent.registration.services, chainId, escrow.address)
    const price = service?.prices[o.skill]
    if (!service || price === undefined) {
      skipped.push({ agentId: agent.agentId, reason: 'no price for this skill on this escrow' })
      continue
    }
    if (BigInt(price) > o.maxPrice) {
      skipped.push({ agentId: agent.agentId, reason: `asks ${price}, above ${o.maxPrice}` })
      continue
    }
    const wallet = agent.agentWallet ?? agent.owner
    if (excluded.includes(wallet.toLowerCase())) continue
    const reputation = await jobReputation(
      escrow,
      erc8004,
      agent.agentId,
      min.evaluators ? { trustedEvaluators: min.evaluators } : {},
    )
    if (
      reputation.jobs < (min.jobs ?? 0) ||
      reputation.clients < (min.clients ?? 0) ||
      (min.average !== undefined && (reputation.weightedAverage ?? 0) < min.average)
    ) {
      skipped.push({
        agentId: agent.agentId,
        reason: `reputation ${reputation.weightedAverage ?? 'none'} over ${reputation.jobs} paid jobs is below the floor`,
      })
      continue
    }
    candidates.push({ agentId: agent.agentId, wallet, service, price: BigInt(price), reputation })
  }
  const score = (c: Candidate) => c.reputation.weightedAverage ?? 50
  candidates.sort((a, b) => score(b) - score(a) || (a.price < b.price ? -1 : a.price > b.price ? 1 : 0))
  return { candidates, skipped }
}

/**
 * A client agent: finds providers for a skill in the identity registry, keeps those within price
 * and above the trust floor (paid-job reputation, weighted by budget), creates a job for the best
 * one, waits for its quote, escrows the budget, and follows the job to its end — completed (the
 * deliverable is fetched and hash-checked), rejected (refund plus the provider's bond), or expired
 * (refund claimed, bond settled). Every wait is bounded; `resume(jobId)` continues from the chain.
 */
export class ClientAgent {
  constructor(private readonly o: { escrow: Escrow; erc8004: Erc8004Client; account: LocalAccount; pollMs?: number }) {
    if (!o.escrow.walletClient)
      throw new AgentError('AGENTS_NO_WALLET', 'A client needs an escrow handle with its wallet.')
  }

  get address(): Address {
    return this.o.account.address
  }

  /** Providers of `skill` on this escrow, with their price and job reputation, best first. */
  candidates(
    skill: string,
    maxPrice: bigint,
    min: HireOptions['minReputation'] = {},
  ): Promise<{ candidates: Candidate[]; skipped: Array<{ agentId: bigint; reason: string }> }> {
    return findProviders(this.o.escrow, this.o.erc8004, {
      skill,
      maxPrice,
      ...(min ? { minReputation: min } : {}),
      exclude: [this.address],
    })
  }

  async hire(h: HireOptions): Promise<HireResult> {
    if (h.evaluator === 'self' && !h.check)
      throw new AgentError('AGENTS_BAD_ARGS', 'evaluator "self" needs a check function.')
    const found = await this.candidates(h.skill, h.maxPrice, h.minReputation)
    const candidates =
      h.agentId === undefined ? found.candidates : found.candidates.filter((c) => c.agentId === h.agentId)
    const skipped = found.skipped
    h.onProgress?.({ step: 'candidates', candidates, skipped })
    for (const c of candidates) {
      const started = await this.start(c, h)
      if (started) return this.follow(started.jobId, c.agentId, h)
    }
    throw new NoAgentError('AGENTS_NO_PROVIDER', `No provider of "${h.skill}" accepted a job within ${h.maxPrice}.`, {
      details: { skill: h.skill, candidates: candidates.length, skipped: skipped.length },
      hint: 'Raise maxPrice, lower minReputation, or wait for more providers.',
    })
  }

  /** Creates the job and funds it once quoted; undefined (and the open job withdrawn) when the provider does not take it. */
  private async start(c: Candidate, h: HireOptions): Promise<{ jobId: bigint } | undefined> {
    const e = this.o.escrow
    const expiredAt = (await chainTime(e)) + (h.expiresIn ?? 3600n)
    const evaluator = h.evaluator === 'self' ? this.address : h.evaluator
    const { jobId } = await createJob(e, {
      provider: c.wallet,
      evaluator,
      expiredAt,
      description: encodeJobRequest({ v: 1, skill: h.skill, input: h.input }),
    })
    h.onProgress?.({ step: 'created', jobId, agentId: c.agentId, expiredAt })
    const withdraw = async (reason: string) => {
      if ((await getJob(e, jobId)).status === 'Open') await reject(e, jobId, zeroHash)
      h.onProgress?.({ step: 'withdrawn', jobId, reason })
      return undefined
    }
    // the quote: a budget, and the provider's acceptance of exactly these terms in the job hook
    const deadline = Date.now() + (h.quoteTimeoutMs ?? 15_000)
    let job = await getJob(e, jobId)
    let acceptance = await acceptanceOf(e, jobId)
    const accepted = () => job.budget > 0n && acceptance.terms === acceptanceTerms(job, job.budget)
    while (!accepted()) {
      if (Date.now() > deadline) return withdraw(`no quote in ${h.quoteTimeoutMs ?? 15_000} ms`)
      await sleep(h.pollMs ?? this.o.pollMs ?? 200)
      job = await getJob(e, jobId)
      acceptance = await acceptanceOf(e, jobId)
    }
    h.onProgress?.({ step: 'quoted', jobId, budget: job.budget })
    if (job.budget > h.maxPrice) return withdraw(`quoted ${job.budget}, above ${h.maxPrice}`)
    // the reputation checked was this agent's: the provider must have taken the job as this agent
    if (acceptance.agentId !== c.agentId) return withdraw(`accepted as agent #${acceptance.agentId}, not #${c.agentId}`)
    try {
      await fund(e, jobId, job.budget)
    } catch (error) {
      // e.g. the provider withdrew its bond approval: it no longer takes the job
      if (error instanceof JobRevertError) return withdraw(`funding failed: ${error.shortMessage}`)
      throw error
    }
    h.onProgress?.({ step: 'funded', jobId, budget: job.budget, bond: (await bondOf(e, jobId)).amount })
    return { jobId }
  }

  /** Picks a job up again from its state on-chain (after a restart) and follows it to its end. */
  resume(
    jobId: bigint,
    h: Pick<HireOptions, 'check' | 'timeoutMs' | 'pollMs' | 'onProgress'> = {},
  ): Promise<HireResult> {
    return this.follow(jobId, undefined, h)
  }

  private async follow(
    jobId: bigint,
    knownAgent: bigint | undefined,
    h: Pick<HireOptions, 'check' | 'timeoutMs' | 'pollMs' | 'onProgress'>,
  ): Promise<HireResult> {
    const e = this.o.escrow
    const deadline = Date.now() + (h.timeoutMs ?? 120_000)
    let job = await getJob(e, jobId)
    if (job.client.toLowerCase() !== this.address.toLowerCase())
      throw new AgentError('AGENTS_NOT_CLIENT', `Job ${jobId} belongs to another client.`)
    let verdict: Verdict | undefined
    let saidSubmitted = false
    // someone else may act first (the provider settles bonds too, anyone may claim a refund): a
    // revert here is re-read from the chain, not an error
    const race = async (act: () => Promise<unknown>) => {
      try {
        await act()
      } catch (error) {
        if (!(error instanceof JobRevertError)) throw error
      }
    }
    for (;;) {
      if (job.status === 'Open') {
        // never funded: nothing is at stake, withdraw it
        await race(() => reject(e, jobId, zeroHash))
      } else if ((job.status === 'Funded' || job.status === 'Submitted') && (await chainTime(e)) >= job.expiredAt) {
        await race(() => claimRefund(e, jobId))
      } else if (job.status === 'Submitted') {
        if (!saidSubmitted) h.onProgress?.({ step: 'submitted', jobId })
        saidSubmitted = true
        if (job.evaluator.toLowerCase() === this.address.toLowerCase() && h.check) {
          verdict = (
            await evaluateJob({ escrow: e, erc8004: this.o.erc8004, account: this.o.account, check: h.check, jobId })
          ).verdict
        }
      }
      job = await getJob(e, jobId)
      if (TERMINAL.includes(job.status)) break
      if (Date.now() > deadline) {
        throw new JobTimeoutError(
          'AGENTS_JOB_TIMEOUT',
          `Job ${jobId} is still ${job.status} after ${h.timeoutMs ?? 120_000} ms.`,
          {
            hint: `Nothing is lost: the escrow is refundable from ${new Date(Number(job.expiredAt) * 1000).toISOString()} (chain time); call resume(${jobId}) later.`,
            details: { jobId: jobId.toString(), status: job.status },
          },
        )
      }
      await sleep(h.pollMs ?? this.o.pollMs ?? 200)
    }
    let bond = await bondOf(e, jobId)
    if (job.status === 'Expired' && bond.amount > 0n && !bond.settled) {
      await race(() => settleExpiredBond(e, jobId))
      bond = await bondOf(e, jobId)
    }
    h.onProgress?.({ step: 'settled', jobId, status: job.status })
    const agentId = knownAgent ?? (await agentOfJob(e, jobId))
    let deliverable: Uint8Array | undefined
    let deliverableError: string | undefined
    if (job.status === 'Completed') {
      // paid already: a provider gone offline since is reported, not thrown
      deliverable = await this.deliverable(job, agentId).catch((error: unknown) => {
        deliverableError = (error as Error).message.split('\n')[0]
        return undefined
      })
    }
    const to: HireResult['bond']['to'] =
      bond.amount === 0n
        ? 'none'
        : job.status === 'Completed'
          ? 'provider'
          : job.status === 'Rejected'
            ? 'client'
            : (await expiredBondToProvider(e, bond, job.expiredAt))
              ? 'provider'
              : 'client'
    return {
      jobId,
      agentId,
      provider: job.provider,
      status: job.status,
      budget: job.budget,
      ...(deliverable ? { deliverable } : {}),
      ...(deliverableError ? { deliverableError } : {}),
      ...(verdict ? { verdict } : {}),
      bond: { amount: bond.amount, to },
    }
  }

  private async deliverable(job: Job, agentId: bigint): Promise<Uint8Array> {
    const agent = await getAgent(this.o.erc8004, agentId)
    const service = requireJobService(
      agent.registration?.services ?? [],
      this.o.escrow.publicClient.chain.id,
      this.o.escrow.address,
      agentId,
    )
    return fetchDeliverable({
      endpoint: service.endpoint,
      escrow: this.o.escrow,
      jobId: job.jobId,
      expected: job.deliverable,
      account: this.o.account,
    })
  }
}
