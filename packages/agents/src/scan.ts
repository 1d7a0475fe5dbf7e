import { getAbiItem, type Address } from 'viem'
import { agenticCommerceAbi } from '@hermit/contracts'
import { getLogsPaged } from '@hermit/erc8004'
import { getJob, TERMINAL, type Escrow, type Job } from './escrow.ts'

/**
 * Follows the jobs of one party without rescanning history on every poll: each `poll()` reads the
 * escrow's events from the block after the last one it saw, and re-reads only jobs that are not
 * final yet. A new scanner (a restarted agent) starts from the escrow's deployment block, so
 * nothing is missed across restarts.
 */
export class JobScanner {
  private nextBlock: bigint | undefined
  private readonly live = new Set<bigint>()

  constructor(
    private readonly escrow: Escrow,
    private readonly who: Address,
    private readonly role: 'client' | 'provider' | 'evaluator',
  ) {}

  /** The party's jobs that are not final, as the chain has them now. */
  async poll(): Promise<Job[]> {
    const e = this.escrow
    const head = await e.publicClient.getBlockNumber({ cacheTime: 0 })
    const from = this.nextBlock ?? e.fromBlock ?? 0n
    if (from <= head) {
      const range = { fromBlock: from, toBlock: head }
      const created = await getLogsPaged(e.publicClient, {
        address: e.address,
        event: getAbiItem({ abi: agenticCommerceAbi, name: 'JobCreated' }),
        ...(this.role === 'client'
          ? { args: { client: this.who } }
          : this.role === 'provider'
            ? { args: { provider: this.who } }
            : {}),
        ...range,
      })
      for (const l of created) this.live.add(l.args.jobId!)
      if (this.role === 'provider') {
        // a provider set after creation
        const set = await getLogsPaged(e.publicClient, {
          address: e.address,
          event: getAbiItem({ abi: agenticCommerceAbi, name: 'ProviderSet' }),
          args: { provider: this.who },
          ...range,
        })
        for (const l of set) this.live.add(l.args.jobId!)
      }
      this.nextBlock = head + 1n
    }
    const jobs = await Promise.all([...this.live].map((id) => getJob(e, id)))
    const mine = jobs.filter((j) => j[this.role].toLowerCase() === this.who.toLowerCase())
    for (const j of jobs) if (TERMINAL.includes(j.status) || !mine.includes(j)) this.live.delete(j.jobId)
    return mine.sort((a, b) => (a.jobId < b.jobId ? -1 : 1))
  }
}
