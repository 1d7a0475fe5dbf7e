import { readFileSync } from 'node:fs'
import { getAddress, isAddressEqual, zeroAddress, type Address } from 'viem'
import type { Reader } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import { artifactPaths, creditLeaf, proveCredit, toSolidityCalldata, type CreditTree } from '@hermit/circuits'
import { earlierTrees, poolTreeEvents } from './roots.ts'
import { shortMessageOf } from '@hermit/errors'
import { TicketError, ZkPayError, type PaymentErrorCode } from './errors.ts'
import type { ZkIdentity } from './identity.ts'
import { newOneTimeKey } from './one-time-key.ts'
import { oneUseFetch } from './transport.ts'
import {
  HEADER_PREVERIFY,
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  HEADER_SIGNATURE,
  SCHEME,
  decodeHeader,
  encodeHeader,
  errorBodySchema,
  paymentRequiredSchema,
  readPaymentResponse,
  oneTimeKeySignedString,
  oneTimeKeyX,
  requestBinding,
  sha256Hex,
  ticketHeaderName,
  type PaymentPayload,
  type PreverifyPayload,
  type PaymentRequirements,
  type PaymentResponse,
} from './protocol.ts'
import { isKnownRoot, readPool } from './pool.ts'
import { liveLeaves, syncTree, type SyncedTree } from './sync.ts'
import type { TicketStore } from './tickets.ts'

export type ZkPayClientOptions = {
  identity: ZkIdentity
  tickets: TicketStore
  publicClient: Reader
  /** Block the pool was deployed at, for event scans. */
  fromBlock?: bigint
  /** Below this many live deposits in the pool, calls are easy to link to you. */
  minAnonymitySet?: number
  /** Refuse to pay (instead of warning) below minAnonymitySet. */
  refuseSmallAnonymitySet?: boolean
  onWarning?: (message: string) => void
  /**
   * The transport, used as given. The default, `oneUseFetch`, opens a connection of its own for
   * every request and keeps no TLS session, so no two requests can be tied together by the
   * connection they came on. A fetch passed here must do the same (see the README).
   */
  fetch?: typeof fetch
  /**
   * Send each precomputed proof to the server as soon as it is made (when the server offers it),
   * so the call that spends it skips the server's pairing check. Off by default: the server then
   * sees when each proof was made, a timing hint it otherwise lacks (see the README).
   */
  preverify?: boolean
}

/** `ticket` is the (first) ticket index a call spent; `tickets` all of them, when it was priced by size. */
export type PaidResponse = Response & { payment?: PaymentResponse; ticket?: number; tickets?: number[] }

/** The code of a refusal from the gate (its JSON error body), if the response carries one. */
async function refusalCode(res: Response): Promise<string | undefined> {
  let json: unknown
  try {
    json = await res.json()
  } catch {
    return undefined
  }
  const parsed = errorBodySchema.safeParse(json)
  return parsed.success ? parsed.data.error.code : undefined
}

/** The body as fetch takes it: none for an empty one. */
const requestBody = (body: string | Uint8Array): NonNullable<RequestInit['body']> | null =>
  body === '' ? null : (body as NonNullable<RequestInit['body']>)

/**
 * fetch() that pays with a zk-rln ticket when the server answers 402. The ticket index is
 * persisted before the proof is made; the request carries no identifying header from this layer.
 */
export function createZkPayClient(options: ZkPayClientOptions) {
  const state = options.tickets.read()
  const pool = getAddress(state.pool)
  const doFetch = options.fetch ?? oneUseFetch
  let synced: SyncedTree | undefined
  let syncing: Promise<SyncedTree> | undefined

  const sync = async (force = false): Promise<SyncedTree> => {
    if (synced && !force) return synced
    syncing ??= syncTree(
      options.publicClient,
      pool,
      options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock },
    ).finally(() => (syncing = undefined))
    synced = await syncing
    return synced
  }

  let onChain: Promise<{ scope: bigint; price: bigint; token: Address | null }> | undefined
  const vkeyHash = sha256Hex(readFileSync(artifactPaths('credit').vkey))

  /**
   * The server's requirements are untrusted: scope, price, asset and verification key are checked
   * against the pool on-chain and the local key, so a server cannot tag clients with a unique scope.
   */
  async function pick(reqs: PaymentRequirements[]): Promise<PaymentRequirements> {
    const r = reqs.find(
      (a) => a.scheme === SCHEME && isAddressEqual(a.payTo, pool) && a.network === `eip155:${state.chainId}`,
    )
    if (!r)
      throw new ZkPayError(
        'ZKPAY_NO_MATCHING_POOL',
        `The server does not accept payments from pool ${pool} on chain ${state.chainId}.`,
      )
    onChain ??= readPool(options.publicClient, pool).then((p) => ({ scope: p.scope, price: p.price, token: p.token }))
    const p = await onChain
    if (
      BigInt(r.extra.scope) !== p.scope ||
      BigInt(r.amount) !== p.price ||
      !isAddressEqual(r.asset, p.token ?? zeroAddress) ||
      r.extra.vkeyHash !== vkeyHash
    ) {
      throw new ZkPayError(
        'ZKPAY_REQUIREMENTS_MISMATCH',
        "The server's payment requirements do not match the pool on-chain (scope, price, asset or verification key).",
        { hint: 'Do not pay this server: it may be trying to tell clients apart.' },
      )
    }
    return r
  }

  /**
   * A keystore that is not the one the ticket file was deposited with would prove a leaf that is
   * not in the pool: refused here, before an index is reserved, so a wrong input never burns a ticket.
   */
  const ownLeaf = creditLeaf(options.identity.depositSecret(BigInt(state.secretNonce)), state.tickets)
  const wrongIdentity = (where: string) =>
    new TicketError(
      'ZKPAY_TICKETS_WRONG_IDENTITY',
      `Ticket file ${options.tickets.path} belongs to another identity: ${where} is not this keystore's deposit.`,
      { hint: 'Pass the keystore the deposit was made with (the -k used with this -t at `hermit pay deposit`).' },
    )
  if (state.leaf !== undefined && BigInt(state.leaf) !== ownLeaf) throw wrongIdentity(`the leaf it records`)
  function checkOwnDeposit(tree: SyncedTree): void {
    if (tree.leaves[state.leafIndex] !== ownLeaf) throw wrongIdentity(`deposit #${state.leafIndex} of pool ${pool}`)
  }

  function checkAnonymity(tree: SyncedTree): void {
    const live = liveLeaves(tree)
    if (options.minAnonymitySet && live < options.minAnonymitySet) {
      const message = `Only ${live} live deposits in pool ${pool}: calls are easy to link (wanted ≥ ${options.minAnonymitySet}).`
      if (options.refuseSmallAnonymitySet)
        throw new ZkPayError('ZKPAY_ANONYMITY_TOO_SMALL', message, {
          hint: 'Wait for more deposits, or lower minAnonymitySet.',
        })
      options.onWarning?.(message)
    }
  }

  /** The synced tree, resynced when the pool's root moved (a proof against an old root would set us apart). */
  async function freshTree(): Promise<SyncedTree> {
    const tree = await sync()
    const current = await options.publicClient.readContract({
      address: pool,
      abi: creditPoolAbi,
      functionName: 'currentRoot',
    })
    return current === tree.root ? tree : sync(true)
  }

  /** The request again, with the payment in PAYMENT-SIGNATURE; the server's PAYMENT-RESPONSE is read into `payment`. */
  async function sendPaid(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    payload: PaymentPayload,
    ticket: number,
  ): Promise<PaidResponse> {
    const headers = new Headers(init.headers)
    headers.set(HEADER_SIGNATURE, encodeHeader(payload))
    const res = (await doFetch(url, { ...init, body: requestBody(body), headers })) as PaidResponse
    // a refusal's PAYMENT-RESPONSE (success: false) is not a payment: `payment` is set only when paid
    const payment = readPaymentResponse(res.headers.get(HEADER_RESPONSE))
    if (payment) res.payment = payment
    res.ticket = ticket
    return res
  }

  const STALE_ROOT: PaymentErrorCode = 'ZKPAY_STALE_ROOT'
  const OVERLOADED: PaymentErrorCode = 'ZKPAY_OVERLOADED'
  type Proved = PaymentPayload['payload']
  /** Ticket `i`, bound to `x`, proved against `tree`. */
  async function proveTicket(i: number, x: bigint, tree: CreditTree, requirement: PaymentRequirements) {
    let proved
    try {
      proved = await proveCredit({
        sk: options.identity.depositSecret(BigInt(state.secretNonce)),
        n: BigInt(state.tickets),
        i: BigInt(i),
        tree,
        scope: BigInt(requirement.extra.scope),
        x,
      })
    } catch (error) {
      throw new ZkPayError('ZKPAY_PROOF_FAILED', `Could not prove ticket ${i}: ${shortMessageOf(error)}`, {
        hint: 'Is the deposit in the pool (syncTree)?',
      })
    }
    const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
    const part: Proved = {
      proof: { a: cd.a, b: cd.b, c: cd.c },
      publicSignals: cd.pub as Proved['publicSignals'],
    }
    return { part, root: proved.root }
  }

  /**
   * Trees to prove the same ticket against when the gate refused `refused` as a stale root: the
   * pool's current tree, then the trees of the roots before it, each still accepted on-chain and
   * holding our deposit live. Same ticket and same `x`: the same share, so nothing more is revealed.
   */
  async function otherTrees(refused: Set<bigint>): Promise<{ root: bigint; tree: CreditTree }[]> {
    const fresh = await sync(true)
    const head = fresh.block
    const events = await poolTreeEvents(options.publicClient, pool, options.fromBlock ?? 0n, head)
    const candidates = [{ root: fresh.root, tree: fresh.tree as CreditTree, removed: fresh.removed }]
    candidates.push(...earlierTrees(events, fresh.root, 3))
    const out: { root: bigint; tree: CreditTree }[] = []
    for (const c of candidates) {
      if (refused.has(c.root) || c.removed.has(state.leafIndex) || c.tree.size <= state.leafIndex) continue
      if (await isKnownRoot(options.publicClient, pool, c.root)) out.push({ root: c.root, tree: c.tree })
    }
    return out
  }

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
  /** Sends one payment; a gate shedding load (503, ZKPAY_OVERLOADED) gets the very same payment again after Retry-After. */
  async function sendShed(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    payload: PaymentPayload,
    ticket: number,
  ) {
    for (let attempt = 0; ; attempt++) {
      const res = await sendPaid(url, init, body, payload, ticket)
      if (res.status !== 503 || attempt >= 3 || (await refusalCode(res.clone())) !== OVERLOADED) return res
      const after = Number(res.headers.get('retry-after') ?? '1')
      await res.body?.cancel()
      await pause(Math.min(Number.isFinite(after) && after >= 0 ? after : 1, 5) * 1000)
    }
  }

  /**
   * Pays with ticket `i` (bound to `x`); on ZKPAY_STALE_ROOT (the gate has not seen the newest root
   * yet, or someone made it refuse one) proves the same ticket with the same `x` against another
   * root still in the window and sends again: never a new ticket, which would pay twice.
   */
  async function payTicket(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    requirement: PaymentRequirements,
    i: number,
    x: bigint,
    first: { part: Proved; root: bigint },
    sign?: (part: Proved) => NonNullable<Proved['oneTimeKey']>,
  ): Promise<PaidResponse> {
    const payloadOf = (part: Proved): PaymentPayload => ({
      x402Version: 2,
      accepted: requirement,
      payload: sign ? { ...part, oneTimeKey: sign(part) } : part,
    })
    let res = await sendShed(url, init, body, payloadOf(first.part), i)
    const refused = new Set([first.root])
    while (res.status === 402 && (await refusalCode(res.clone())) === STALE_ROOT) {
      const alt = (await otherTrees(refused))[0]
      if (!alt) break
      refused.add(alt.root)
      const again = await proveTicket(i, x, alt.tree, requirement)
      res = await sendShed(url, init, body, payloadOf(again.part), i)
    }
    return res
  }

  async function pay(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    requirement: PaymentRequirements,
  ): Promise<PaidResponse> {
    const tree = await freshTree()
    checkOwnDeposit(tree)
    checkAnonymity(tree)
    // persisted before any proof exists: this index is never handed out again
    const i = await options.tickets.reserve()
    const u = new URL(url)
    const x = requestBinding(init.method ?? 'GET', `${u.pathname}${u.search}`, body)
    const first = await proveTicket(i, x, tree.tree as CreditTree, requirement)
    return payTicket(url, init, body, requirement, i, x, first)
  }

  // ---- precomputed proofs: proved ahead for a one-time key, so a paid call only signs
  type Ready = {
    payload: PaymentPayload['payload']
    /** Signs with the proof's one-time key (imported once, when the proof was made). */
    sign: (message: string) => `0x${string}`
    publicKey: string
    root: bigint
    ticket: number
  }
  const ready: Ready[] = []
  let known: PaymentRequirements | undefined
  let knownUrl: string | undefined
  let target = 0
  let filling: Promise<void> | undefined

  async function precomputeOne(requirement: PaymentRequirements): Promise<void> {
    const r = await proveReady(requirement)
    if (r) ready.push(r)
  }

  /** A proof for a one-time key (sent ahead when asked and offered); undefined when the server refused it ahead. */
  // tickets reserved for a proof still being made: spendable, though neither remaining nor ready
  let proving = 0
  async function proveReady(requirement: PaymentRequirements): Promise<Ready | undefined> {
    const tree = await freshTree()
    checkOwnDeposit(tree)
    checkAnonymity(tree)
    const i = await options.tickets.reserve()
    proving++
    try {
      return await proveReserved(requirement, tree, i)
    } finally {
      proving--
    }
  }
  async function proveReserved(
    requirement: PaymentRequirements,
    tree: SyncedTree,
    i: number,
  ): Promise<Ready | undefined> {
    const key = newOneTimeKey()
    const publicKey = key.publicKey
    const proved = await proveCredit({
      sk: options.identity.depositSecret(BigInt(state.secretNonce)),
      n: BigInt(state.tickets),
      i: BigInt(i),
      tree: tree.tree as CreditTree,
      scope: BigInt(requirement.extra.scope),
      x: oneTimeKeyX(publicKey),
    })
    const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
    const r: Ready = {
      payload: {
        proof: { a: cd.a, b: cd.b, c: cd.c },
        publicSignals: cd.pub as PaymentPayload['payload']['publicSignals'],
      },
      sign: key.sign,
      publicKey,
      root: proved.root,
      ticket: i,
    }
    if (options.preverify && requirement.extra.preverify && knownUrl && !(await sendAhead(knownUrl, requirement, r)))
      return undefined
    return r
  }

  /** PAYMENT-PREVERIFY: false when the server refused the proof (it is dropped; its ticket stays spent). */
  async function sendAhead(url: string, requirement: PaymentRequirements, r: Ready): Promise<boolean> {
    const ahead: PreverifyPayload = {
      x402Version: 2,
      accepted: requirement,
      payload: {
        proof: r.payload.proof,
        publicSignals: r.payload.publicSignals,
        oneTimeKey: { publicKey: r.publicKey },
      },
    }
    try {
      const res = await doFetch(url, { method: 'POST', headers: { [HEADER_PREVERIFY]: encodeHeader(ahead) } })
      if (res.status === 204) return true
      const code = await refusalCode(res)
      options.onWarning?.(
        `the server refused a precomputed proof ahead of its call (${res.status}${code ? ` ${code}` : ''})`,
      )
      // only a proof the server found invalid is dropped; a stale root (a lagging server) is for the call to decide
      return code !== ('ZKPAY_INVALID_PROOF' satisfies PaymentErrorCode)
    } catch (e) {
      options.onWarning?.(`could not send a precomputed proof ahead: ${shortMessageOf(e)}`)
      return true // the call verifies it then
    }
  }

  function refill(): Promise<void> {
    if (!known || filling) return filling ?? Promise.resolve()
    const requirement = known
    filling = (async () => {
      while (ready.length < target && options.tickets.remaining() > 0) await precomputeOne(requirement)
    })().finally(() => (filling = undefined))
    return filling
  }

  /**
   * The next ready proof. Its root is not looked up on the chain first: a call never waits for an RPC.
   * A root that left the window meanwhile costs one refused round trip (ZKPAY_STALE_ROOT, nothing
   * spent), and payTicket then proves the same ticket with the same one-time key at a root in the window.
   */
  async function takeReady(): Promise<Ready | undefined> {
    return ready.shift()
  }

  /** The one-time key of `r` signs its proof's root and nullifier and this request (version 2). */
  function signFor(r: Ready, method: string, pathAndQuery: string, body: string | Uint8Array) {
    return (part: Proved): NonNullable<Proved['oneTimeKey']> => {
      const [, nullifier, root] = part.publicSignals
      const message = oneTimeKeySignedString({ root, nullifier }, method, pathAndQuery, body)
      const signature = r.sign(message)
      return { version: 3, publicKey: r.publicKey, signature }
    }
  }

  /**
   * A call priced by size: `k` tickets, each a one-time-key proof (ready ones first, the rest proved
   * now), one PAYMENT-SIGNATURE header each. On ZKPAY_STALE_ROOT every ticket is proved again with
   * its same one-time key (the same ticket and x: the same share) at another root still in the
   * window, and the call sent again: never new tickets, which would pay twice.
   */
  async function payMany(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    requirement: PaymentRequirements,
    k: number,
  ): Promise<PaidResponse> {
    if (options.tickets.remaining() + ready.length + proving < k)
      throw new ZkPayError(
        'ZKPAY_TICKETS_EXHAUSTED',
        `This call costs ${k} tickets; ${options.tickets.remaining() + ready.length + proving} are left.`,
        { hint: 'Deposit again (hermit pay deposit) for more tickets.' },
      )
    const taken: Ready[] = []
    while (taken.length < k) {
      // the last tickets may be being proved in the background: wait for them rather than fail
      if (ready.length === 0 && filling && options.tickets.remaining() === 0) await filling.catch(() => {})
      const r = (await takeReady()) ?? (await proveReady(requirement))
      if (r) taken.push(r)
    }
    const u = new URL(url)
    const send = async (parts: Proved[]): Promise<PaidResponse> => {
      const headers = new Headers(init.headers)
      taken.forEach((r, j) => {
        const part = parts[j]!
        const sign = signFor(r, init.method ?? 'GET', `${u.pathname}${u.search}`, body)
        const payload: PaymentPayload = {
          x402Version: 2,
          accepted: requirement,
          payload: { ...part, oneTimeKey: sign(part) },
        }
        headers.set(ticketHeaderName(j), encodeHeader(payload))
      })
      const res = (await doFetch(url, { ...init, body: requestBody(body), headers })) as PaidResponse
      // a refusal's PAYMENT-RESPONSE (success: false) is not a payment: `payment` is set only when paid
      const payment = readPaymentResponse(res.headers.get(HEADER_RESPONSE))
      if (payment) res.payment = payment
      res.ticket = taken[0]!.ticket
      res.tickets = taken.map((r) => r.ticket)
      return res
    }
    let res = await send(taken.map((r) => r.payload))
    const refused = new Set(taken.map((r) => r.root))
    while (res.status === 402 && (await refusalCode(res.clone())) === STALE_ROOT) {
      const alt = (await otherTrees(refused))[0]
      if (!alt) break
      refused.add(alt.root)
      const parts: Proved[] = []
      for (const r of taken)
        parts.push((await proveTicket(r.ticket, oneTimeKeyX(r.publicKey), alt.tree, requirement)).part)
      await res.body?.cancel()
      res = await send(parts)
    }
    return res
  }

  async function payPrecomputed(
    url: string,
    init: RequestInit,
    body: string | Uint8Array,
    requirement: PaymentRequirements,
    r: Ready,
  ): Promise<PaidResponse> {
    const u = new URL(url)
    const sign = signFor(r, init.method ?? 'GET', `${u.pathname}${u.search}`, body)
    return payTicket(
      url,
      init,
      body,
      requirement,
      r.ticket,
      oneTimeKeyX(r.publicKey),
      { part: r.payload, root: r.root },
      sign,
    )
  }

  /**
   * Learns the server's requirements from a 402 at `url` and keeps `count` proofs ready in the
   * background (each one spends a ticket index now). Resolves when they are ready.
   */
  async function precompute(url: string, count: number): Promise<void> {
    if (!known) {
      const res = await doFetch(url, { method: 'GET' })
      if (res.status !== 402) throw new ZkPayError('ZKPAY_NOT_PAID_ENDPOINT', `${url} did not answer 402.`)
      known = await pick(
        decodeHeader(paymentRequiredSchema, res.headers.get(HEADER_REQUIRED) ?? undefined, 'PAYMENT-REQUIRED').accepts,
      )
      knownUrl = url
      await res.body?.cancel()
    }
    target = count
    await refill()
  }

  return {
    pool,
    remainingTickets: () => options.tickets.remaining(),
    sync: () => sync(true),
    /** Proofs ready to spend right now. */
    readyProofs: () => ready.length,
    /** Tickets this client can still pay with: not yet used, ready, or being proved now. */
    spendableTickets: () => options.tickets.remaining() + ready.length + proving,
    /** The server's requirements, once a 402 (or `precompute`) taught them. */
    requirements: (): PaymentRequirements | undefined => known,
    /**
     * Learns the server's requirements from a 402 at `url` and keeps `count` proofs ready in the
     * background (each one spends a ticket index now). Resolves when they are ready.
     */
    precompute,
    /**
     * fetch(), paying on 402. `tickets` above 1: the call is priced by size and carries that many
     * tickets (the server's requirements are learned first if they are not known yet).
     */
    async fetch(url: string, init: RequestInit = {}, opts: { tickets?: number } = {}): Promise<PaidResponse> {
      const body =
        typeof init.body === 'string' || init.body instanceof Uint8Array
          ? init.body
          : init.body == null
            ? ''
            : (() => {
                throw new ZkPayError(
                  'ZKPAY_BODY_TYPE',
                  'Paid requests take a string or Uint8Array body (it is hashed into the proof).',
                )
              })()
      if (opts.tickets !== undefined && opts.tickets > 1) {
        if (!known) await precompute(url, target)
        const res = await payMany(url, init, body, known!, opts.tickets)
        setImmediate(
          () => void refill().catch((e: unknown) => options.onWarning?.(`precomputing failed: ${shortMessageOf(e)}`)),
        )
        return res
      }
      if (known && ready.length === 0 && filling && options.tickets.remaining() === 0) await filling.catch(() => {})
      if (known && (ready.length > 0 || target > 0)) {
        const r = await takeReady()
        if (r) {
          const res = await payPrecomputed(url, init, body, known, r)
          // refill only after the call: witness generation would hold up this very request
          setImmediate(
            () => void refill().catch((e: unknown) => options.onWarning?.(`precomputing failed: ${shortMessageOf(e)}`)),
          )
          if (res.status !== 402) return res
          options.onWarning?.(`precomputed proof refused (${res.status}); proving on demand`)
        }
      }
      const first = await doFetch(url, { ...init, body: requestBody(body) })
      if (first.status !== 402) return first as PaidResponse
      const required = decodeHeader(
        paymentRequiredSchema,
        first.headers.get(HEADER_REQUIRED) ?? undefined,
        'PAYMENT-REQUIRED',
      )
      await first.body?.cancel()
      const requirement = await pick(required.accepts)
      return pay(url, init, body, requirement)
    },
  }
}

export type ZkPayClient = ReturnType<typeof createZkPayClient>
