import { isAddressEqual } from 'viem'
import { setBudget, type Job } from '../escrow.ts'
import { chainTime } from '../handle.ts'
import { acceptanceTermsHash, acceptJob, recordedAcceptance, requiredBond } from '../hook.ts'
import { parseJobRequest } from '../job-request.ts'
import { approvePaymentToken } from '../token.ts'
import type { ProviderOptions } from './types.ts'

export type QuoteOutcome =
  | { kind: 'quoted'; price: bigint; bond: bigint }
  | { kind: 'declined'; reason: string }
  /** Already quoted on these terms, or too many open quotes: nothing done this time. */
  | { kind: 'unchanged' }

type QuoteOptions = Pick<ProviderOptions, 'escrow' | 'skills' | 'acceptEvaluator' | 'minWorkSeconds' | 'maxOpenQuotes'>

/**
 * Quoting the Open jobs addressed to the provider: the bond approved, the skill's price as the
 * budget, and the job accepted in the hook as this agent (the acceptance binds the terms: the
 * client cannot change them afterwards). Keeps the open quotes (with the bond each may lock) and
 * how often each client moved the budget.
 */
export class Quoter {
  /** Open jobs it accepted, with the bond each may lock. */
  private readonly quoted = new Map<bigint, bigint>()
  private readonly requotes = new Map<bigint, number>()

  constructor(private readonly options: QuoteOptions) {}

  async quote(job: Job, agentId: bigint): Promise<QuoteOutcome> {
    const { escrow, skills } = this.options
    const declined = (reason: string): QuoteOutcome => ({ kind: 'declined', reason })
    const parsed = parseJobRequest(job.description)
    if (!parsed.ok) return declined(`not a job request: ${parsed.reason}`)
    const skill = skills[parsed.request.skill]
    if (!skill) return declined(`no skill "${parsed.request.skill}"`)
    const evaluatorOk = this.options.acceptEvaluator
      ? this.options.acceptEvaluator(job.evaluator, job)
      : !isAddressEqual(job.evaluator, job.client)
    if (!evaluatorOk) return declined(`evaluator ${job.evaluator} not accepted`)
    if (!isAddressEqual(job.hook, escrow.hook)) return declined('the job does not use the Hermit job hook')
    const minWork = this.options.minWorkSeconds ?? 300n
    if (job.expiredAt - (await chainTime(escrow)) < minWork) {
      this.quoted.delete(job.jobId)
      return declined(`expires in less than the ${minWork} s of work it needs`)
    }
    const current = await recordedAcceptance(escrow, job.jobId)
    const terms = acceptanceTermsHash(job, skill.price)
    if (this.quoted.has(job.jobId) && job.budget === skill.price && current.terms === terms)
      return { kind: 'unchanged' }
    // busy: the client's quote timeout lets it move on
    if (!this.quoted.has(job.jobId) && this.quoted.size >= (this.options.maxOpenQuotes ?? 16))
      return { kind: 'unchanged' }
    // a client that keeps moving the budget after the quote is not worth more gas
    const tries = (this.requotes.get(job.jobId) ?? 0) + 1
    this.requotes.set(job.jobId, tries)
    if (tries > 3) {
      this.quoted.delete(job.jobId)
      return declined('the client keeps changing the budget')
    }
    // the bond is approved before the acceptance: a client may fund the moment it sees it
    const bond = await requiredBond(escrow, skill.price)
    this.quoted.set(job.jobId, bond)
    await approvePaymentToken(
      escrow,
      escrow.hook,
      [...this.quoted.values()].reduce((a, b) => a + b, 0n),
    )
    if (job.budget !== skill.price) await setBudget(escrow, job.jobId, skill.price)
    if (current.terms !== terms) await acceptJob(escrow, job.jobId, skill.price, minWork, agentId)
    return { kind: 'quoted', price: skill.price, bond }
  }

  /** Open jobs it accepted that are no longer open (funded, withdrawn) or too late leave the quoted set. */
  prune(jobs: readonly Job[]): void {
    const open = new Set(jobs.filter((j) => j.status === 'Open').map((j) => j.jobId))
    for (const id of this.quoted.keys()) if (!open.has(id)) this.quoted.delete(id)
    for (const id of this.requotes.keys()) if (!open.has(id)) this.requotes.delete(id)
  }

  /** The job moved on (funded, final): its bond no longer counts in the approval. */
  forget(jobId: bigint): void {
    this.quoted.delete(jobId)
  }
}
