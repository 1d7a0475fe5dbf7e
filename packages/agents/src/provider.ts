import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { keccak256, zeroAddress, zeroHash, type Address, type Hash } from 'viem'
import {
  agentRegistryOf,
  getAgent,
  requestValidation,
  updateRegistration,
  validationStatus,
  type Erc8004Client,
  type RegistrationFileInput,
} from '@hermit/erc8004'
import type { ZkPayGate } from '@hermit/zkpay'
import { AgentError } from './errors.ts'
import {
  acceptanceOf,
  acceptanceTerms,
  acceptJob,
  approve,
  bondFor,
  bondOf,
  chainTime,
  getJob,
  setBudget,
  settleExpiredBond,
  submit,
  validationRequestHash,
  type Escrow,
  type Job,
} from './escrow.ts'
import { checkDeliverableAuth, deliverableHash, DELIVERABLE_AUTH_HEADER, DeliverableStore } from './deliverable.ts'
import { ensureRegistered } from './identity.ts'
import { JobScanner } from './scan.ts'
import { escrowId, JOB_SERVICE, parseJobRequest, type JobRequest } from './job-request.ts'

export type JobHandler = (ctx: { job: Job; request: JobRequest; signal: AbortSignal }) => Promise<string | Uint8Array>

export type Skill = { price: bigint; handler: JobHandler }

export type ProviderEvent =
  | { kind: 'registered'; agentId: bigint }
  | { kind: 'quoted'; jobId: bigint; price: bigint; bond: bigint }
  | { kind: 'declined'; jobId: bigint; reason: string }
  | { kind: 'working'; jobId: bigint; skill: string }
  | { kind: 'submitted'; jobId: bigint; deliverable: Hash; bytes: number }
  | { kind: 'failed'; jobId: bigint; reason: string }
  | { kind: 'settled'; jobId: bigint; status: Job['status'] }

export type ProviderOptions = {
  /** The escrow with this provider's wallet (it quotes, locks bonds and submits). */
  escrow: Escrow
  /** ERC-8004 with the same wallet (registration, validation requests). */
  erc8004: Erc8004Client
  name: string
  description: string
  skills: Record<string, Skill>
  /** Agent id and deliverables live here; job state is read back from the chain. */
  dataDir: string
  host?: string
  port?: number
  /** The URL clients reach this agent at (default http://host:port). */
  publicUrl?: string
  /**
   * Whom it accepts as evaluator: the evaluator decides whether the bond is lost. Default: anyone
   * but the client itself.
   */
  acceptEvaluator?: (evaluator: Address, job: Job) => boolean
  /** Longest a handler may run (default 60 s); a job it cannot finish is never submitted. */
  handlerTimeoutMs?: number
  /** Working time it asks for once funded (default 300 s): a job funded later than that before its expiry is refused by the hook. */
  minWorkSeconds?: bigint
  /** At most this many quoted, unfunded jobs at a time (default 16): quoting costs gas, and anyone can create jobs. */
  maxOpenQuotes?: number
  pollMs?: number
  /** Optional anonymous one-shot calls: POST /call/<skill> behind this zk-rln gate, no escrow. */
  oneShot?: { gate: ZkPayGate; pool: Address }
  onEvent?: (e: ProviderEvent) => void
}

/**
 * A provider agent: registers once, lists its skills and prices, quotes the jobs addressed to it
 * (setBudget, its bond approved, acceptJob in the hook as its agent), does the work when funded, stores the
 * deliverable on disk, submits its hash, asks the job hook to record the evaluation as an
 * ERC-8004 validation, and serves the deliverable to the client and evaluator only. Every step is
 * decided from the job's state on-chain, so a restarted provider picks up where it stopped.
 */
export class ProviderAgent {
  agentId: bigint | undefined
  private server: Server | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly busy = new Map<bigint, Promise<void>>()
  private readonly done = new Set<bigint>()
  /** Open jobs it accepted, with the bond each may lock. */
  private readonly quoted = new Map<bigint, bigint>()
  private readonly requotes = new Map<bigint, number>()
  private readonly abort = new AbortController()
  private scanner: JobScanner | undefined
  private readonly store: DeliverableStore
  private ticking: Promise<void> | undefined
  private stopped = false
  url = ''

  constructor(private readonly o: ProviderOptions) {
    this.store = new DeliverableStore(o.dataDir)
    if (!o.escrow.walletClient)
      throw new AgentError('AGENTS_NO_WALLET', 'A provider needs an escrow handle with its wallet.')
  }

  get address(): Address {
    return this.o.escrow.walletClient!.account.address
  }

  private emit(e: ProviderEvent): void {
    this.o.onEvent?.(e)
  }

  registration(): RegistrationFileInput {
    const chainId = this.o.escrow.publicClient.chain.id
    return {
      type: 'https://eips.ethereum.org/EIPS/eip-8004#registration-v1',
      name: this.o.name,
      description: this.o.description,
      active: true,
      services: [
        {
          name: JOB_SERVICE,
          endpoint: this.url,
          skills: Object.keys(this.o.skills),
          escrow: escrowId(chainId, this.o.escrow.address),
          prices: Object.fromEntries(Object.entries(this.o.skills).map(([k, s]) => [k, s.price.toString()])),
          ...(this.o.oneShot ? { oneShot: { endpoint: `${this.url}/call`, pool: this.o.oneShot.pool } } : {}),
        },
      ],
      supportedTrust: ['reputation', 'validation'],
    }
  }

  /** Starts the HTTP endpoint, registers (once per data folder), then follows its jobs on-chain. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.serve(req, res))
    await new Promise<void>((resolve) => this.server!.listen(this.o.port ?? 0, this.o.host ?? '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = this.o.publicUrl ?? `http://${this.o.host ?? '127.0.0.1'}:${port}`
    const r = await ensureRegistered(this.o.erc8004, this.o.dataDir, this.registration())
    this.agentId = r.agentId
    if (r.registered) this.emit({ kind: 'registered', agentId: r.agentId })
    else await this.refreshRegistration()
    await this.tick()
    this.timer = setInterval(() => void this.tick(), this.o.pollMs ?? 500)
    return this
  }

  /** A restarted provider may listen elsewhere: its registration file follows. */
  private async refreshRegistration(): Promise<void> {
    const current = await getAgent(this.o.erc8004, this.agentId!)
    const listed = current.registration?.services.find((s) => s.name === JOB_SERVICE)
    const fresh = this.registration()
    if (listed && listed.endpoint === this.url && JSON.stringify(listed) === JSON.stringify(fresh.services![0])) return
    await updateRegistration(this.o.erc8004, this.agentId!, {
      ...fresh,
      registrations: current.registration?.registrations ?? [
        { agentId: Number(this.agentId), agentRegistry: agentRegistryOf(this.o.erc8004) },
      ],
    })
  }

  /** Stops following jobs and serving; work in progress is abandoned (what reached disk is kept). */
  async stop(): Promise<void> {
    this.stopped = true
    this.abort.abort()
    if (this.timer) clearInterval(this.timer)
    await this.ticking
    await Promise.allSettled([...this.busy.values()])
    if (this.server) {
      this.server.closeAllConnections()
      await new Promise<void>((r) => this.server!.close(() => r()))
    }
  }

  /** One pass over every job addressed to this provider. Safe to call any time. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => (this.ticking = undefined))
    return this.ticking
  }

  private async pass(): Promise<void> {
    let jobs: Job[]
    try {
      this.scanner ??= new JobScanner(this.o.escrow, this.address, 'provider')
      jobs = await this.scanner.poll()
      this.pruneQuotes(jobs)
    } catch {
      return // the RPC will be back on the next tick
    }
    for (const job of jobs) {
      if (this.stopped) return
      if (this.done.has(job.jobId) || this.busy.has(job.jobId)) continue
      this.busy.set(
        job.jobId,
        this.step(job).finally(() => this.busy.delete(job.jobId)),
      )
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
      this.emit({ kind: 'failed', jobId: job.jobId, reason: (error as Error).message.split('\n')[0]! })
    }
  }

  private decline(job: Job, reason: string): void {
    this.done.add(job.jobId)
    this.emit({ kind: 'declined', jobId: job.jobId, reason })
  }

  /**
   * Open: the bond approved, the skill's price as the budget, and the job accepted in the hook as
   * this agent (the acceptance binds the terms: the client cannot change them afterwards).
   */
  private async quote(job: Job): Promise<void> {
    const parsed = parseJobRequest(job.description)
    if (!parsed.ok) return this.decline(job, `not a job request: ${parsed.reason}`)
    const skill = this.o.skills[parsed.request.skill]
    if (!skill) return this.decline(job, `no skill "${parsed.request.skill}"`)
    const evaluatorOk = this.o.acceptEvaluator
      ? this.o.acceptEvaluator(job.evaluator, job)
      : job.evaluator.toLowerCase() !== job.client.toLowerCase()
    if (!evaluatorOk) return this.decline(job, `evaluator ${job.evaluator} not accepted`)
    if (job.hook.toLowerCase() !== this.o.escrow.hook.toLowerCase())
      return this.decline(job, 'the job does not use the Hermit job hook')
    const minWork = this.o.minWorkSeconds ?? 300n
    if (job.expiredAt - (await chainTime(this.o.escrow)) < minWork) {
      this.quoted.delete(job.jobId)
      return this.decline(job, `expires in less than the ${minWork} s of work it needs`)
    }
    const current = await acceptanceOf(this.o.escrow, job.jobId)
    if (this.quoted.has(job.jobId) && job.budget === skill.price && current.terms === acceptanceTerms(job, skill.price))
      return
    if (!this.quoted.has(job.jobId) && this.quoted.size >= (this.o.maxOpenQuotes ?? 16)) return // busy: the client's quote timeout lets it move on
    // a client that keeps moving the budget after the quote is not worth more gas
    const tries = (this.requotes.get(job.jobId) ?? 0) + 1
    this.requotes.set(job.jobId, tries)
    if (tries > 3) {
      this.quoted.delete(job.jobId)
      return this.decline(job, 'the client keeps changing the budget')
    }
    // the bond is approved before the acceptance: a client may fund the moment it sees it
    const bond = await bondFor(this.o.escrow, skill.price)
    this.quoted.set(job.jobId, bond)
    await approve(
      this.o.escrow,
      this.o.escrow.hook,
      [...this.quoted.values()].reduce((a, b) => a + b, 0n),
    )
    if (job.budget !== skill.price) await setBudget(this.o.escrow, job.jobId, skill.price)
    if (current.terms !== acceptanceTerms(job, skill.price))
      await acceptJob(this.o.escrow, job.jobId, skill.price, minWork, this.agentId!)
    this.emit({ kind: 'quoted', jobId: job.jobId, price: skill.price, bond })
  }

  /** Open jobs this provider accepted that are no longer open (funded, withdrawn) or too late leave the quoted set. */
  private pruneQuotes(jobs: readonly Job[]): void {
    const open = new Set(jobs.filter((j) => j.status === 'Open').map((j) => j.jobId))
    for (const id of this.quoted.keys()) if (!open.has(id)) this.quoted.delete(id)
    for (const id of this.requotes.keys()) if (!open.has(id)) this.requotes.delete(id)
  }

  /** Funded: do the work (once: the deliverable is kept on disk before its hash goes on-chain). */
  private async work(job: Job): Promise<void> {
    let bytes = this.store.get(this.o.escrow.address, job.jobId)
    if (!bytes) {
      this.quoted.delete(job.jobId)
      const parsed = parseJobRequest(job.description)
      const skill = parsed.ok ? this.o.skills[parsed.request.skill] : undefined
      if (!parsed.ok || !skill) return this.decline(job, 'funded, but not a job this provider can do')
      if (job.budget < skill.price) return this.decline(job, `funded at ${job.budget}, below its price ${skill.price}`)
      this.emit({ kind: 'working', jobId: job.jobId, skill: parsed.request.skill })
      const signal = AbortSignal.any([AbortSignal.timeout(this.o.handlerTimeoutMs ?? 60_000), this.abort.signal])
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
      const out = await Promise.race([skill.handler({ job, request: parsed.request, signal }), stopped])
      bytes = typeof out === 'string' ? new TextEncoder().encode(out) : out
      this.store.put(this.o.escrow.address, job.jobId, bytes)
    }
    // the chain may have moved on while we worked (an expiry, an evaluator's rejection)
    const now = await getJob(this.o.escrow, job.jobId)
    if (this.stopped || now.status !== 'Funded' || (await chainTime(this.o.escrow)) >= now.expiredAt) return
    const hash = deliverableHash(bytes)
    const salt = await this.salt(job.jobId, hash)
    await this.askValidation(job.jobId, hash, salt)
    await submit(this.o.escrow, job.jobId, hash, salt)
    this.emit({ kind: 'submitted', jobId: job.jobId, deliverable: hash, bytes: bytes.length })
  }

  /**
   * The salt of the validation request: this wallet's signature over the job and deliverable, so it
   * is the same after a restart and unknown to anyone else until the submission reveals it.
   */
  private async salt(jobId: bigint, deliverable: Hash): Promise<Hash> {
    const w = this.o.escrow.walletClient!
    return keccak256(
      await w.signMessage({
        account: w.account,
        message: `hermit job validation salt\nescrow ${this.o.escrow.address.toLowerCase()}\njob ${jobId}\ndeliverable ${deliverable}`,
      }),
    )
  }

  /** Before submitting: ask the hook to record the evaluator's decision as an ERC-8004 validation response. */
  private async askValidation(jobId: bigint, deliverable: Hash, salt: Hash): Promise<void> {
    if (!this.o.erc8004.registries.validation || this.agentId === undefined) return
    const requestHash = await validationRequestHash(this.o.escrow, jobId, deliverable, salt)
    const existing = await validationStatus(this.o.erc8004, requestHash).catch(() => undefined)
    if (existing) return // asked before a restart
    await requestValidation(this.o.erc8004, {
      validator: this.o.escrow.hook,
      agentId: this.agentId,
      requestURI: `${this.url}/jobs/${jobId}`,
      requestHash,
    })
  }

  /** Terminal: after an expiry, take the bond back (it was delivered) or release it to the client. */
  private async settle(job: Job): Promise<void> {
    this.quoted.delete(job.jobId)
    if (job.status === 'Expired') {
      const bond = await bondOf(this.o.escrow, job.jobId)
      if (bond.amount > 0n && !bond.settled) await settleExpiredBond(this.o.escrow, job.jobId)
    }
    this.done.add(job.jobId)
    this.emit({ kind: 'settled', jobId: job.jobId, status: job.status })
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: string | Uint8Array, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type })
      res.end(typeof body === 'string' ? body : Buffer.from(body))
    }
    try {
      const url = new URL(req.url ?? '/', 'http://agent')
      const deliverable = /^\/jobs\/(\d{1,20})\/deliverable$/.exec(url.pathname)
      if (req.method === 'GET' && deliverable) {
        const jobId = BigInt(deliverable[1]!)
        const job = await getJob(this.o.escrow, jobId).catch(() => undefined)
        const bytes = job && this.store.get(this.o.escrow.address, jobId)
        if (!job || !bytes || job.provider.toLowerCase() !== this.address.toLowerCase())
          return send(404, '{"error":"no such deliverable"}')
        const header = req.headers[DELIVERABLE_AUTH_HEADER]
        const ok = await checkDeliverableAuth({
          header: Array.isArray(header) ? undefined : header,
          chainId: this.o.escrow.publicClient.chain.id,
          escrow: this.o.escrow.address,
          jobId,
          allowed: [job.client, job.evaluator],
        })
        if (!ok) return send(401, '{"error":"sign the request as the job\'s client or evaluator"}')
        return send(200, bytes, 'application/octet-stream')
      }
      const call = /^\/call\/([A-Za-z0-9_-]{1,100})$/.exec(url.pathname)
      if (req.method === 'POST' && call && this.o.oneShot) {
        const skill = this.o.skills[call[1]!]
        if (!skill) return send(404, '{"error":"no such skill"}')
        return await this.o.oneShot.gate.handle(req, res, async (_r, ctx) => {
          const job: Job = {
            jobId: 0n,
            client: zeroAddress,
            provider: this.address,
            evaluator: this.address,
            hook: this.o.escrow.hook,
            budget: 0n,
            expiredAt: 0n,
            status: 'Open',
            deliverable: zeroHash,
            description: '',
          }
          const out = await skill.handler({
            job,
            request: { v: 1, skill: call[1]!, input: ctx.body.toString('utf8').slice(0, 16 * 1024) },
            signal: AbortSignal.timeout(this.o.handlerTimeoutMs ?? 60_000),
          })
          return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: out }
        })
      }
      if (req.method === 'GET' && url.pathname === '/')
        return send(200, JSON.stringify({ agentId: this.agentId?.toString(), skills: Object.keys(this.o.skills) }))
      send(404, '{"error":"not found"}')
    } catch (error) {
      if (!res.headersSent) send(500, JSON.stringify({ error: (error as Error).message.split('\n')[0] }))
    }
  }
}
