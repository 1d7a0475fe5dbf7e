/**
 * The forks proposals are simulated on. Starting anvil is most of a transfer's proposal time, so a
 * `ForkPool` keeps one fork per upstream RPC and returns it to a clean state between proposals:
 * `evm_revert` to the snapshot taken at the fork's head when the upstream head is unchanged, and
 * `anvil_reset` onto the new head when it moved (compared by block hash, so a reorg or a devnet's
 * own revert to an earlier state is seen too). Proposals on one fork run one at a time.
 */
import type { Hash, Hex } from 'viem'
import { startDevnet, type Devnet } from '@hermit/devnet'

export type ForkHead = { number: bigint; hash: Hash }

type Slot = {
  devnet: Devnet
  head: ForkHead
  /** Taken at `head` before any proposal ran: every proposal starts from it. */
  snapshot: Hex
  /** The tail of the proposals queued on this fork. */
  queue: Promise<unknown>
}

/** What a pool did for a proposal (the bench and the tests read it). */
export type ForkUse = 'started' | 'reverted' | 'reset'

export class ForkPool {
  private readonly slots = new Map<string, Promise<Slot>>()
  private closed = false
  /** How each proposal got its fork, in order. */
  readonly uses: ForkUse[] = []

  /**
   * Runs `fn` on a clean fork of `rpcUrl` at `head`, after every earlier proposal on the same fork.
   * The fork is left as `fn` leaves it; the next use reverts it.
   */
  async run<T>(rpcUrl: string, chainId: number, head: ForkHead, fn: (fork: Devnet) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('ForkPool is closed')
    const key = `${chainId}@${rpcUrl}`
    let started = false
    let slotP = this.slots.get(key)
    if (!slotP) {
      started = true
      slotP = (async () => {
        const devnet = await startDevnet({ fork: { url: rpcUrl, blockNumber: head.number }, deploy: false, chainId })
        return { devnet, head, snapshot: await devnet.snapshot(), queue: Promise.resolve() }
      })()
      this.slots.set(key, slotP)
      slotP.catch(() => this.slots.delete(key))
    }
    const slot = await slotP
    const job = slot.queue.then(async () => {
      if (started) this.uses.push('started')
      else if (slot.head.hash === head.hash) {
        // anvil drops a snapshot once reverted to: take it again for the next proposal
        await slot.devnet.revert(slot.snapshot)
        this.uses.push('reverted')
      } else {
        await slot.devnet.testClient.reset({ jsonRpcUrl: rpcUrl, blockNumber: head.number })
        slot.head = head
        this.uses.push('reset')
      }
      if (!started) slot.snapshot = await slot.devnet.snapshot()
      return fn(slot.devnet)
    })
    slot.queue = job.catch(() => undefined)
    return job
  }

  /** Stops every fork (after the proposals running on them). */
  async close(): Promise<void> {
    this.closed = true
    const slots = await Promise.allSettled([...this.slots.values()])
    this.slots.clear()
    await Promise.all(
      slots.map(async (s) => {
        if (s.status !== 'fulfilled') return
        await s.value.queue
        await s.value.devnet.stop()
      }),
    )
  }
}

/** One proposal's fork without a pool: started for it, stopped after. */
export async function withOwnFork<T>(
  rpcUrl: string,
  chainId: number,
  head: ForkHead,
  fn: (fork: Devnet) => Promise<T>,
): Promise<T> {
  const fork = await startDevnet({ fork: { url: rpcUrl, blockNumber: head.number }, deploy: false, chainId })
  try {
    return await fn(fork)
  } finally {
    await fork.stop()
  }
}
