import type { PaidResponse, TicketStore, ZkPayClient } from '@hermit/zkpay'
import type { PaidBought, PaidView } from './view.ts'

/** Where the paid-calls panel reads from, and (optionally) how it buys tickets. */
export type PaidSource = {
  state(): Promise<PaidView>
  /** Deposits for `tickets` more calls; absent: the panel has no form. */
  buy?: (tickets: number) => Promise<PaidBought>
}

/**
 * The last paid calls by nullifier only: what the server already saw, and nothing that names the
 * caller (no URL, no body, no ticket index).
 */
export class PaidCalls {
  private readonly calls: PaidView['lastCalls'] = []
  constructor(private readonly keep = 20) {}
  note(res: PaidResponse): void {
    if (!res.payment) return
    this.calls.unshift({ nullifier: res.payment.nullifier, at: Date.now(), status: res.status })
    this.calls.length = Math.min(this.calls.length, this.keep)
  }
  list(): PaidView['lastCalls'] {
    return [...this.calls]
  }
}

/** The panel's view of a zkpay client: its ticket file, its ready proofs, the pool's live deposits. */
export function zkpayPaid(o: {
  client: ZkPayClient
  tickets: TicketStore
  calls?: PaidCalls
  buy?: PaidSource['buy']
}): PaidSource {
  return {
    async state() {
      const s = o.tickets.read()
      const tree = await o.client.sync()
      return {
        pool: o.client.pool,
        chainId: s.chainId,
        tickets: { total: s.tickets, used: s.next, left: o.client.remainingTickets() },
        proofsReady: o.client.readyProofs(),
        anonymitySet: tree.leaves.length - tree.removed.size,
        lastCalls: o.calls?.list() ?? [],
        canBuy: o.buy !== undefined,
      }
    },
    ...(o.buy ? { buy: o.buy } : {}),
  }
}
