import { getAbiItem, isAddressEqual, type Address } from 'viem'
import { agenticCommerceAbi } from '@hermit/contracts'
import { getLogsPaged } from '@hermit/chain'
import { getJob, TERMINAL, type Job } from './escrow.ts'
import type { Escrow } from './handle.ts'

export type JobRole = 'client' | 'provider' | 'evaluator'

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
    private readonly role: JobRole,
  ) {}

  /** The party's jobs that are not final, as the chain has them now. */
  async poll(): Promise<Job[]> {
    const escrow = this.escrow
    const head = await escrow.publicClient.getBlockNumber({ cacheTime: 0 })
    const from = this.nextBlock ?? escrow.fromBlock ?? 0n
    if (from <= head) {
      const range = { fromBlock: from, toBlock: head }
      const created = await getLogsPaged(escrow.publicClient, {
        address: escrow.address,
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
        const set = await getLogsPaged(escrow.publicClient, {
          address: escrow.address,
          event: getAbiItem({ abi: agenticCommerceAbi, name: 'ProviderSet' }),
          args: { provider: this.who },
          ...range,
        })
        for (const l of set) this.live.add(l.args.jobId!)
      }
      this.nextBlock = head + 1n
    }
    const jobs = await Promise.all([...this.live].map((id) => getJob(escrow, id)))
    const mine = jobs.filter((j) => isAddressEqual(j[this.role], this.who))
    for (const j of jobs) if (TERMINAL.includes(j.status) || !mine.includes(j)) this.live.delete(j.jobId)
    return mine.sort((a, b) => (a.jobId < b.jobId ? -1 : 1))
  }
}

/** Jobs where `who` is client, provider or evaluator, read back from the chain (not from memory). */
export async function jobsOf(escrow: Escrow, who: Address, role: JobRole): Promise<Job[]> {
  // a fresh scanner reads the whole history once: final jobs included
  return new JobScanner(escrow, who, role).poll()
}
