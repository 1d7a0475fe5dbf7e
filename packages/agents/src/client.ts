import { isAddressEqual, zeroHash, type Address, type LocalAccount } from 'viem'
import { ContractRevertError } from '@hermit/chain'
import { findAgents, getAgent, type Erc8004Client } from '@hermit/erc8004'
import { shortMessageOf } from '@hermit/errors'
import { AgentError, JobTimeoutError, NoAgentError } from './errors.ts'
import { claimRefund, createJob, fundJob, getJob, rejectJob, TERMINAL, type Job } from './escrow.ts'
import { chainTime, type Escrow } from './handle.ts'
import {
  acceptanceTermsHash,
  agentOfJob,
  expiredBondToProvider,
  lockedBond,
  recordedAcceptance,
  settleExpiredBond,
} from './hook.ts'
import { fetchDeliverable } from './deliverable.ts'
import { evaluateJob, type Checker, type Evaluation } from './evaluator.ts'
import { encodeJobRequest, jobServiceOf, requireJobService, JOB_SERVICE, type JobService } from './job-request.ts'
import { jobReputation, type JobReputation } from './reputation.ts'
import { paymentUnit, showTokenAmount } from './token.ts'

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
  /** The evaluation, when this client was the evaluator. */
  evaluation?: Evaluation
  /** The provider's bond: back to the provider, or paid to this client ("none": the job had no bond). */
  bond: { amount: bigint; to: 'provider' | 'client' | 'none' }
}

/** What `resume` (and the end of `hire`) needs: how to judge, how long to wait, whom to tell. */
export type FollowOptions = Pick<HireOptions, 'check' | 'timeoutMs' | 'pollMs' | 'onProgress'>

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Discovery and trust: the agents listing a `hermit-job` service with `skill` on this escrow,
 * within `maxPrice`, above the reputation floor (paid jobs only), best reputation first (an
 * unproven agent counts as 50), then the cheapest. `skipped` says why the others were left out.
 */
export async function findProviders(
  escrow: Escrow,
  erc8004: Erc8004Client,
  options: {
    skill: string
    maxPrice: bigint
    minReputation?: HireOptions['minReputation']
    exclude?: readonly Address[]
    /** How the price limit is named in a skipped reason (default `maxPrice`; a CLI names its flag). */
    maxPriceName?: string
  },
): Promise<{ candidates: Candidate[]; skipped: Array<{ agentId: bigint; reason: string }> }> {
  const min = options.minReputation ?? {}
  const [found, unit] = await Promise.all([
    findAgents(erc8004, { service: JOB_SERVICE, skill: options.skill, active: true }),
    paymentUnit(escrow),
  ])
  const amount = (v: bigint) => showTokenAmount(v, unit)
  const chainId = escrow.publicClient.chain.id
  const skipped = [...found.skipped]
  const candidates: Candidate[] = []
  const excluded = options.exclude ?? []
  for (const agent of found.agents) {
    const service = agent.registration && jobServiceOf(agent.registration.services, chainId, escrow.address)
    const price = service?.prices[options.skill]
    if (!service || price === undefined) {
      skipped.push({ agentId: agent.agentId, reason: 'no price for this skill on this escrow' })
      continue
    }
    if (BigInt(price) > options.maxPrice) {
      // with the token's unit: a bare base-unit number reads a million-fold off
      skipped.push({
        agentId: agent.agentId,
        reason: `asks ${amount(BigInt(price))}, above ${options.maxPriceName ?? 'maxPrice'} ${amount(options.maxPrice)}`,
      })
      continue
    }
    const wallet = agent.agentWallet ?? agent.owner
    if (excluded.some((a) => isAddressEqual(a, wallet))) continue
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

/** Why no provider is left: the floor asked, and for each provider left out, the filter that did it. */
export function noCandidate(
  options: Pick<HireOptions, 'skill' | 'maxPrice' | 'minReputation' | 'agentId'>,
  skipped: ReadonlyArray<{ agentId: bigint; reason: string }>,
  /** How a price is written: with the token's symbol (`showTokenAmount`), never as a bare base-unit number. */
  price: (v: bigint) => string,
): NoAgentError {
  const min = options.minReputation ?? {}
  const floor = [
    ...(min.average === undefined ? [] : [`reputation ≥ ${min.average}`]),
    ...(min.jobs ? [`≥ ${min.jobs} paid jobs`] : []),
    ...(min.clients ? [`≥ ${min.clients} clients`] : []),
    ...(options.agentId === undefined ? [] : [`agent #${options.agentId}`]),
  ]
  const counts = new Map<string, number>()
  for (const s of skipped) {
    const why = s.reason.startsWith('reputation none over 0 paid jobs')
      ? 'has no paid jobs yet'
      : s.reason.startsWith('reputation')
        ? 'is below the reputation floor'
        : s.reason.startsWith('asks')
          ? `asks more than ${price(options.maxPrice)}`
          : s.reason
    counts.set(why, (counts.get(why) ?? 0) + 1)
  }
  const reasons = [...counts].map(([why, n]) => `${n} provider${n === 1 ? '' : 's'} ${n === 1 ? why : plural(why)}`)
  return new NoAgentError(
    'AGENTS_NO_PROVIDER',
    `No provider of "${options.skill}"${floor.length ? ` with ${floor.join(', ')}` : ''}: ${
      reasons.length ? reasons.join('; ') : 'none is registered with this skill on this escrow'
    }.`,
    {
      details: { skill: options.skill, candidates: 0, skipped: skipped.length },
      hint: counts.has('has no paid jobs yet')
        ? 'A new provider has no reputation yet: hire without a floor (minReputation) to give it its first paid jobs.'
        : 'Raise maxPrice, lower minReputation, or wait for more providers.',
    },
  )
}

const plural = (why: string) =>
  why
    .replace(/^has /, 'have ')
    .replace(/^is /, 'are ')
    .replace(/^asks /, 'ask ')

/**
 * A client agent: finds providers for a skill in the identity registry, keeps those within price
 * and above the trust floor (paid-job reputation, weighted by budget), creates a job for the best
 * one, waits for its quote, escrows the budget, and follows the job to its end — completed (the
 * deliverable is fetched and hash-checked), rejected (refund plus the provider's bond), or expired
 * (refund claimed, bond settled). Every wait is bounded; `resume(jobId)` continues from the chain.
 */
export class ClientAgent {
  constructor(
    private readonly options: { escrow: Escrow; erc8004: Erc8004Client; account: LocalAccount; pollMs?: number },
  ) {
    if (!options.escrow.walletClient)
      throw new AgentError('AGENTS_NO_WALLET', 'A client needs an escrow handle with its wallet.')
  }

  get address(): Address {
    return this.options.account.address
  }

  /** Providers of `skill` on this escrow, with their price and job reputation, best first. */
  candidates(
    skill: string,
    maxPrice: bigint,
    min: HireOptions['minReputation'] = {},
  ): Promise<{ candidates: Candidate[]; skipped: Array<{ agentId: bigint; reason: string }> }> {
    return findProviders(this.options.escrow, this.options.erc8004, {
      skill,
      maxPrice,
      ...(min ? { minReputation: min } : {}),
      exclude: [this.address],
    })
  }

  async hire(options: HireOptions): Promise<HireResult> {
    if (options.evaluator === 'self' && !options.check)
      throw new AgentError('AGENTS_BAD_ARGS', 'evaluator "self" needs a check function.')
    const found = await this.candidates(options.skill, options.maxPrice, options.minReputation)
    const candidates =
      options.agentId === undefined ? found.candidates : found.candidates.filter((c) => c.agentId === options.agentId)
    const skipped = found.skipped
    options.onProgress?.({ step: 'candidates', candidates, skipped })
    for (const candidate of candidates) {
      const started = await this.start(candidate, options)
      if (started) return this.follow(started.jobId, candidate.agentId, options)
    }
    // nobody to ask: say which filter left everyone out, rather than a failure that reads like a wait that ran out
    const amount = await this.amounts()
    if (candidates.length === 0) throw noCandidate(options, skipped, amount)
    throw new NoAgentError(
      'AGENTS_NO_PROVIDER',
      `No provider of "${options.skill}" accepted a job within ${amount(options.maxPrice)}.`,
      {
        details: { skill: options.skill, candidates: candidates.length, skipped: skipped.length },
        hint: 'Raise maxPrice, lower minReputation, or wait for more providers.',
      },
    )
  }

  /** How this client writes an amount of the escrow's token: `5 dUSD`. */
  private async amounts(): Promise<(v: bigint) => string> {
    const unit = await paymentUnit(this.options.escrow)
    return (v) => showTokenAmount(v, unit)
  }

  /** Creates the job and funds it once quoted; undefined (and the open job withdrawn) when the provider does not take it. */
  private async start(candidate: Candidate, options: HireOptions): Promise<{ jobId: bigint } | undefined> {
    const escrow = this.options.escrow
    const expiredAt = (await chainTime(escrow)) + (options.expiresIn ?? 3600n)
    const evaluator = options.evaluator === 'self' ? this.address : options.evaluator
    const { jobId } = await createJob(escrow, {
      provider: candidate.wallet,
      evaluator,
      expiredAt,
      description: encodeJobRequest({ v: 1, skill: options.skill, input: options.input }),
    })
    options.onProgress?.({ step: 'created', jobId, agentId: candidate.agentId, expiredAt })
    const withdraw = async (reason: string) => {
      if ((await getJob(escrow, jobId)).status === 'Open') await rejectJob(escrow, jobId, zeroHash)
      options.onProgress?.({ step: 'withdrawn', jobId, reason })
      return undefined
    }
    // the quote: a budget, and the provider's acceptance of exactly these terms in the job hook
    const deadline = Date.now() + (options.quoteTimeoutMs ?? 15_000)
    let job = await getJob(escrow, jobId)
    let acceptance = await recordedAcceptance(escrow, jobId)
    const accepted = () => job.budget > 0n && acceptance.terms === acceptanceTermsHash(job, job.budget)
    while (!accepted()) {
      if (Date.now() > deadline) return withdraw(`no quote in ${options.quoteTimeoutMs ?? 15_000} ms`)
      await sleep(options.pollMs ?? this.options.pollMs ?? 200)
      job = await getJob(escrow, jobId)
      acceptance = await recordedAcceptance(escrow, jobId)
    }
    options.onProgress?.({ step: 'quoted', jobId, budget: job.budget })
    if (job.budget > options.maxPrice) {
      const amount = await this.amounts()
      return withdraw(`quoted ${amount(job.budget)}, above maxPrice ${amount(options.maxPrice)}`)
    }
    // the reputation checked was this agent's: the provider must have taken the job as this agent
    if (acceptance.agentId !== candidate.agentId)
      return withdraw(`accepted as agent #${acceptance.agentId}, not #${candidate.agentId}`)
    try {
      await fundJob(escrow, jobId, job.budget)
    } catch (error) {
      // e.g. the provider withdrew its bond approval: it no longer takes the job
      if (error instanceof ContractRevertError) return withdraw(`funding failed: ${error.shortMessage}`)
      throw error
    }
    options.onProgress?.({
      step: 'funded',
      jobId,
      budget: job.budget,
      bond: (await lockedBond(escrow, jobId)).amount,
    })
    return { jobId }
  }

  /** Picks a job up again from its state on-chain (after a restart) and follows it to its end. */
  resume(jobId: bigint, options: FollowOptions = {}): Promise<HireResult> {
    return this.follow(jobId, undefined, options)
  }

  private async follow(jobId: bigint, knownAgent: bigint | undefined, options: FollowOptions): Promise<HireResult> {
    const escrow = this.options.escrow
    const deadline = Date.now() + (options.timeoutMs ?? 120_000)
    let job = await getJob(escrow, jobId)
    if (!isAddressEqual(job.client, this.address))
      throw new AgentError('AGENTS_NOT_CLIENT', `Job ${jobId} belongs to another client.`)
    let evaluation: Evaluation | undefined
    let saidSubmitted = false
    // someone else may act first (the provider settles bonds too, anyone may claim a refund): a
    // revert here is re-read from the chain, not an error
    const race = async (act: () => Promise<unknown>) => {
      try {
        await act()
      } catch (error) {
        if (!(error instanceof ContractRevertError)) throw error
      }
    }
    for (;;) {
      if (job.status === 'Open') {
        // never funded: nothing is at stake, withdraw it
        await race(() => rejectJob(escrow, jobId, zeroHash))
      } else if (
        (job.status === 'Funded' || job.status === 'Submitted') &&
        (await chainTime(escrow)) >= job.expiredAt
      ) {
        await race(() => claimRefund(escrow, jobId))
      } else if (job.status === 'Submitted') {
        if (!saidSubmitted) options.onProgress?.({ step: 'submitted', jobId })
        saidSubmitted = true
        if (isAddressEqual(job.evaluator, this.address) && options.check) {
          evaluation = (
            await evaluateJob({
              escrow,
              erc8004: this.options.erc8004,
              account: this.options.account,
              check: options.check,
              jobId,
            })
          ).evaluation
        }
      }
      job = await getJob(escrow, jobId)
      if (TERMINAL.includes(job.status)) break
      if (Date.now() > deadline) {
        throw new JobTimeoutError(
          'AGENTS_JOB_TIMEOUT',
          `Job ${jobId} is still ${job.status} after ${options.timeoutMs ?? 120_000} ms.`,
          {
            hint:
              `Nothing is lost: the escrow is refundable from ${new Date(Number(job.expiredAt) * 1000).toISOString()} ` +
              `(chain time); call resume(${jobId}) later.`,
            details: { jobId: jobId.toString(), status: job.status },
          },
        )
      }
      await sleep(options.pollMs ?? this.options.pollMs ?? 200)
    }
    let bond = await lockedBond(escrow, jobId)
    if (job.status === 'Expired' && bond.amount > 0n && !bond.settled) {
      await race(() => settleExpiredBond(escrow, jobId))
      bond = await lockedBond(escrow, jobId)
    }
    options.onProgress?.({ step: 'settled', jobId, status: job.status })
    const agentId = knownAgent ?? (await agentOfJob(escrow, jobId))
    let deliverable: Uint8Array | undefined
    let deliverableError: string | undefined
    if (job.status === 'Completed') {
      // paid already: a provider gone offline since is reported, not thrown
      deliverable = await this.deliverable(job, agentId).catch((error: unknown) => {
        deliverableError = shortMessageOf(error)
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
            : (await expiredBondToProvider(escrow, bond, job.expiredAt))
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
      ...(evaluation ? { evaluation } : {}),
      bond: { amount: bond.amount, to },
    }
  }

  private async deliverable(job: Job, agentId: bigint): Promise<Uint8Array> {
    const agent = await getAgent(this.options.erc8004, agentId)
    const service = requireJobService(
      agent.registration?.services ?? [],
      this.options.escrow.publicClient.chain.id,
      this.options.escrow.address,
      agentId,
    )
    return fetchDeliverable({
      endpoint: service.endpoint,
      escrow: this.options.escrow,
      jobId: job.jobId,
      expected: job.deliverable,
      account: this.options.account,
    })
  }
}
