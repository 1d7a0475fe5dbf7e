import { getAddress, type Address, type Chain, type PublicClient, type Transport } from 'viem'
import { proveCredit, toSolidityCalldata, type CreditTree } from '@hermit/circuits'
import { PaymentError, ZkPayError } from './errors.ts'
import type { ZkIdentity } from './identity.ts'
import {
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  HEADER_SIGNATURE,
  SCHEME,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  paymentResponseSchema,
  requestBinding,
  type PaymentPayload,
  type PaymentRequirements,
  type PaymentResponse,
} from './protocol.ts'
import { syncTree, type SyncedTree } from './sync.ts'
import type { TicketStore } from './tickets.ts'

export type ZkPayClientOptions = {
  identity: ZkIdentity
  tickets: TicketStore
  publicClient: PublicClient<Transport, Chain>
  /** Block the pool was deployed at, for event scans. */
  fromBlock?: bigint
  /** Below this many live deposits in the pool, calls are easy to link to you. */
  minAnonymitySet?: number
  /** Refuse to pay (instead of warning) below minAnonymitySet. */
  refuseSmallAnonymitySet?: boolean
  onWarning?: (message: string) => void
  fetch?: typeof fetch
}

export type PaidResponse = Response & { payment?: PaymentResponse; ticket?: number }

/**
 * fetch() that pays with a zk-rln ticket when the server answers 402. The ticket index is
 * persisted before the proof is made; the request carries no identifying header from this layer.
 */
export function createZkPayClient(o: ZkPayClientOptions) {
  const state = o.tickets.read()
  const pool = getAddress(state.pool)
  const doFetch = o.fetch ?? fetch
  let synced: SyncedTree | undefined
  let syncing: Promise<SyncedTree> | undefined

  const sync = async (force = false): Promise<SyncedTree> => {
    if (synced && !force) return synced
    syncing ??= syncTree(o.publicClient, pool, o.fromBlock === undefined ? {} : { fromBlock: o.fromBlock }).finally(() => (syncing = undefined))
    synced = await syncing
    return synced
  }

  function pick(reqs: PaymentRequirements[]): PaymentRequirements {
    const r = reqs.find((a) => a.scheme === SCHEME && a.payTo === pool && a.network === `eip155:${state.chainId}`)
    if (!r) throw new ZkPayError('ZKPAY_NO_MATCHING_POOL', `The server does not accept payments from pool ${pool} on chain ${state.chainId}.`)
    return r
  }

  async function pay(url: string, init: RequestInit, body: string | Uint8Array, requirement: PaymentRequirements): Promise<PaidResponse> {
    const tree = await sync()
    const live = tree.leaves.length - tree.removed.size
    if (o.minAnonymitySet && live < o.minAnonymitySet) {
      const message = `Only ${live} live deposits in pool ${pool}: calls are easy to link (wanted ≥ ${o.minAnonymitySet}).`
      if (o.refuseSmallAnonymitySet) throw new ZkPayError('ZKPAY_ANONYMITY_TOO_SMALL', message, { hint: 'Wait for more deposits, or lower minAnonymitySet.' })
      o.onWarning?.(message)
    }
    // persisted before any proof exists: this index is never handed out again
    const i = await o.tickets.reserve()
    const u = new URL(url)
    const x = requestBinding(init.method ?? 'GET', `${u.pathname}${u.search}`, body)
    const sk = o.identity.revealSecret()
    let proved
    try {
      proved = await proveCredit({ sk, n: BigInt(state.tickets), i: BigInt(i), tree: tree.tree as CreditTree, scope: BigInt(requirement.extra.scope), x })
    } catch (error) {
      throw new ZkPayError('ZKPAY_PROOF_FAILED', `Could not prove ticket ${i}: ${(error as Error).message.split('\n')[0]}`, { hint: 'Is the deposit in the pool (syncTree)?' })
    }
    const calldata = toSolidityCalldata(proved.proof, proved.publicSignals)
    const payload: PaymentPayload = {
      x402Version: 2,
      accepted: requirement,
      payload: { proof: { a: calldata.a, b: calldata.b, c: calldata.c }, publicSignals: calldata.pub as PaymentPayload['payload']['publicSignals'] },
    }
    const headers = new Headers(init.headers)
    headers.set(HEADER_SIGNATURE, encodeHeader(payload))
    const res = (await doFetch(url, { ...init, body: body === "" ? null : (body as NonNullable<RequestInit["body"]>), headers })) as PaidResponse
    const header = res.headers.get(HEADER_RESPONSE)
    if (header) res.payment = decodeHeader(paymentResponseSchema, header, 'PAYMENT-RESPONSE')
    res.ticket = i
    return res
  }

  return {
    pool,
    remainingTickets: () => o.tickets.remaining(),
    sync: () => sync(true),
    async fetch(url: string, init: RequestInit = {}): Promise<PaidResponse> {
      const body = typeof init.body === 'string' || init.body instanceof Uint8Array ? init.body : init.body == null ? '' : (() => {
        throw new ZkPayError('ZKPAY_BODY_TYPE', 'Paid requests take a string or Uint8Array body (it is hashed into the proof).')
      })()
      const first = await doFetch(url, { ...init, body: body === "" ? null : (body as NonNullable<RequestInit["body"]>) })
      if (first.status !== 402) return first as PaidResponse
      const required = decodeHeader(paymentRequiredSchema, first.headers.get(HEADER_REQUIRED) ?? undefined, 'PAYMENT-REQUIRED')
      await first.body?.cancel()
      const requirement = pick(required.accepts)
      let res = await pay(url, init, body, requirement)
      if (res.status === 402 && /STALE_ROOT/.test(await res.clone().text())) {
        await sync(true) // a deposit moved the root on: prove again against the fresh tree
        res = await pay(url, init, body, requirement)
      }
      return res
    },
  }
}

export type ZkPayClient = ReturnType<typeof createZkPayClient>
export { PaymentError }
