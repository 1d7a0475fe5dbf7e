import type { Address } from 'viem'
import type { RegistrationFileInput } from '@hermit/erc8004'
import { DeliverableStore } from '../deliverable.ts'
import { AgentError } from '../errors.ts'
import { ProviderJobs } from './jobs.ts'
import { providerRegistration, registerProvider } from './registration.ts'
import { ProviderServer } from './server.ts'
import type { ProviderEvent, ProviderOptions } from './types.ts'

/**
 * A provider agent: registers once, lists its skills and prices, quotes the jobs addressed to it
 * (setBudget, its bond approved, acceptJob in the hook as its agent), does the work when funded, stores the
 * deliverable on disk, submits its hash, asks the job hook to record the evaluation as an
 * ERC-8004 validation, and serves the deliverable to the client and evaluator only. Every step is
 * decided from the job's state on-chain, so a restarted provider picks up where it stopped.
 *
 * Made of: the HTTP endpoint (`ProviderServer`, with the one-shot calls), the registration
 * (`registerProvider`) and the job loop (`ProviderJobs`, quoting through a `Quoter`).
 */
export class ProviderAgent {
  agentId: bigint | undefined
  private readonly store: DeliverableStore
  private readonly server: ProviderServer
  private jobs: ProviderJobs | undefined
  private listening = ''
  private stopped = false

  constructor(private readonly options: ProviderOptions) {
    if (!options.escrow.walletClient)
      throw new AgentError('AGENTS_NO_WALLET', 'A provider needs an escrow handle with its wallet.')
    this.store = new DeliverableStore(options.dataDir)
    this.server = new ProviderServer({
      ...options,
      provider: options.escrow.walletClient.account.address,
      store: this.store,
      agentId: () => this.agentId,
    })
  }

  get address(): Address {
    return this.options.escrow.walletClient!.account.address
  }

  /** The URL clients reach this agent at (empty before `start`). */
  get url(): string {
    return this.listening
  }

  private emit(event: ProviderEvent): void {
    this.options.onEvent?.(event)
  }

  registration(): RegistrationFileInput {
    return providerRegistration(this.options, this.url)
  }

  /** Starts the HTTP endpoint, registers (once per data folder), then follows its jobs on-chain. */
  async start(): Promise<this> {
    const local = await this.server.listen()
    this.listening = this.options.publicUrl ?? local
    const { agentId, registered } = await registerProvider(this.options, this.url)
    this.agentId = agentId
    if (registered) this.emit({ kind: 'registered', agentId })
    if (this.stopped) return this
    this.jobs = new ProviderJobs(this.options, {
      agentId,
      url: this.url,
      store: this.store,
      emit: (event) => this.emit(event),
    })
    await this.jobs.start()
    return this
  }

  /** Stops following jobs and serving; work in progress is abandoned (what reached disk is kept). */
  async stop(): Promise<void> {
    this.stopped = true
    await this.jobs?.stop()
    await this.server.close()
  }

  /** One pass over every job addressed to this provider (after `start`). */
  tick(): Promise<void> {
    return this.jobs?.tick() ?? Promise.resolve()
  }
}
