import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import { zeroAddress, type Hash } from 'viem'
import type { Reader, Wallet } from '@hermit/chain'
import { artifactPaths, loadVerificationKey, recoverSecret, verifyCredit, type Groth16Proof } from '@hermit/circuits'
import { shortMessageOf } from '@hermit/errors'
import { checkPayment, type PaymentClaim, type PaymentSignals, type PaymentTarget } from './check.ts'
import { PaymentError, ZkPayError, type PaymentErrorCode } from './errors.ts'
import type { PoolInfo } from './pool.ts'
import {
  HEADER_PREVERIFY,
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  MAX_TICKETS_PER_CALL,
  PREVERIFY_EXTENSION,
  paymentFailureHeader,
  paymentResponseHeader,
  type SupportedResponse,
  SCHEME,
  decodeHeader,
  decodePaymentPayload,
  ticketHeaderName,
  encodeHeader,
  preverifyPayloadSchema,
  proofKey,
  sha256Hex,
  type ErrorBody,
  type PaymentRequired,
  type PaymentRequirements,
  type PaymentResponse,
} from './protocol.ts'
import { createRootTracker } from './roots.ts'
import { createSlasher, type SlashEvent } from './slasher.ts'
import type { NullifierStore, StoredResponse } from './store.ts'
import type { ProofVerifierPool } from './verifier.ts'

/**
 * A request as the gate sees it, whatever the HTTP framework: `url` is the path and query;
 * `connection` (node:http: the socket) is what proofs sent ahead are rate-limited per.
 */
export type PaidRequest = {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  connection?: object
}

export type PaidHandler = (
  req: PaidRequest,
  ctx: {
    body: Buffer
    /** The first ticket's nullifier; `nullifiers` has every ticket the call carried (more than one when priced by size). */
    nullifier: bigint
    nullifiers: bigint[]
    /**
     * The PAYMENT-RESPONSE header of this call: a handler that streams its answer itself (writes the
     * node:http response and returns what to record for a replay) sends these with its own head.
     */
    paymentHeaders: Record<string, string>
  },
) => Promise<{ status?: number; headers?: Record<string, string>; body: string | Uint8Array }>

/**
 * Called once every proof of a call is verified and none of its tickets was seen before, just
 * before the tickets are claimed: work the handler will need may start then (the gateway sends
 * the model its request), beside the claim's durable write. It returns what undoes that work,
 * called when a claim refuses the call instead (a replay, a double-spend, a call in progress).
 * Nothing reaches the caller before the claim: the handler runs only once every ticket is claimed.
 */
export type EarlyStart = (ctx: { body: Buffer; nullifiers: bigint[] }) => () => void

export type GateEvent =
  | { kind: 'paid'; nullifier: bigint }
  | { kind: 'replay'; nullifier: bigint }
  | { kind: 'double-spend'; nullifier: bigint; slashTx: Hash | null; error?: string }
  | SlashEvent
  | { kind: 'rejected'; status: number; code: PaymentErrorCode }
  | { kind: 'preverified'; nullifier: bigint }

export type ZkPayGateOptions = {
  publicClient: Reader
  pool: PoolInfo
  store: NullifierStore
  /** Signs slash() when a double-spend reveals a secret; without it the cheat is only refused. */
  slasher?: Wallet
  /** Off-main-thread verification; without it proofs are verified inline. */
  verifier?: ProofVerifierPool
  description?: string
  /**
   * x402 discovery: `GET <supportedPath>` answers the facilitator's `/supported` document (zk-rln on
   * this pool's network) instead of reaching the handler (default `/supported`; false: off).
   */
  supportedPath?: string | false
  maxBodyBytes?: number
  /** How long the anonymity set the 402 advertises is reused (default 2 s). */
  rootCacheMs?: number
  /**
   * The gate follows the pool's roots from its events and refreshes that view at most this often
   * when a request needs it (default 250 ms): a root the view does not know is refused from a view
   * at most this old, so a made-up root costs no RPC call and a real new root is seen within it.
   */
  rootRecheckMs?: number
  /**
   * Pairing checks waiting or running at once, at most (default 256). Every cheaper check runs
   * first; a payment that would need a pairing check beyond the bound is shed with 503 and
   * `Retry-After` (ZKPAY_OVERLOADED), instead of queueing without limit.
   */
  maxPendingVerifications?: number
  /** The `Retry-After` of a shed payment (503) or a rate-limited preverify (429), in seconds (default 1). */
  retryAfterSeconds?: number
  /** Slash attempts per double-spend, each with freshly synced siblings (default 8); then it stays pending in the store. */
  slashAttempts?: number
  /** How long a slash attempt waits for its receipt before the next attempt (default 2 min): a dropped transaction is sent again. */
  slashReceiptTimeoutMs?: number
  /** The clock (ms), for the root window and the rechecks; tests move it instead of sleeping. */
  now?: () => number
  /** Block the pool was deployed at, for event scans. */
  fromBlock?: bigint
  /** After this long, a claimed but unanswered payment is reported as consumed (410), not in progress. */
  inProgressTimeoutMs?: number
  /**
   * Accept precomputed proofs ahead of their call (PAYMENT-PREVERIFY, advertised in the
   * requirements): the pairing check then runs before the call, which only checks the one-time
   * key's signature. Verified proofs are remembered in memory, at most `capacity` (default 100,000),
   * the first verified proof of a ticket is kept, and each connection may send at most `burst` proofs
   * ahead at once, refilled at `perSecond` (default 16 and 8; 429 + Retry-After beyond).
   */
  preverify?: boolean | { capacity?: number; perConnection?: { burst?: number; perSecond?: number } }
  onEvent?: (e: GateEvent) => void
  /**
   * Priced by size: how many tickets a request costs (default 1). A call carries one proof per
   * ticket (PAYMENT-SIGNATURE, PAYMENT-SIGNATURE-2, …); one with fewer is refused (402
   * ZKPAY_TOO_FEW_TICKETS) before any proof is checked, and the 402 says how many it costs.
   */
  ticketsFor?: (req: PaidRequest, body: Buffer) => number
  /** Advertised in the 402 (`extra.tokensPerTicket`) when the price is by size. */
  tokensPerTicket?: number
}

export type ZkPayGate = {
  /** What the 402 advertises for `resourceUrl`; `extra.anonymitySet` is the pool's live deposits, counted from its events. */
  requirements(resourceUrl: string): Promise<PaymentRequired>
  /** The gate itself, framework-free: a request in, the response to send out. */
  process(req: PaidRequest, body: Buffer, handler: PaidHandler, early?: EarlyStart): Promise<StoredResponse>
  /** node:http, and Express (`app.use((req, res) => gate.handle(req, res, handler))`, before any body parser). */
  handle(req: IncomingMessage, res: ServerResponse, handler: PaidHandler): Promise<void>
  /** Web-standard Request → Response: Hono (`app.all('*', (c) => gate.fetch(c.req.raw, handler))`), Bun, Deno, workers. */
  fetch(request: Request, handler: PaidHandler): Promise<Response>
  /** The verification queue and the root view, counted since the gate was made. */
  stats(): GateStats
  /** Retries the slashes still pending in the store (after a restart, say); resolves with the ones that landed. */
  retryPendingSlashes(): Promise<Hash[]>
  /** x402's `/supported` document: the zk-rln scheme on this pool's network, and the extensions declared. */
  supported(): SupportedResponse
}

export type GateStats = {
  /** Pairing checks waiting or running now, and the most there ever were at once. */
  pendingVerifications: number
  highWaterVerifications: number
  /** Pairing checks started, and payments shed with 503 because the queue was full. */
  pairings: number
  shed: number
  /** Refreshes of the root view (each one RPC call, more when the head moved). */
  rootRefreshes: number
}

const toSnark = (p: { a: readonly bigint[]; b: readonly (readonly bigint[])[]; c: readonly bigint[] }): Groth16Proof =>
  ({
    pi_a: [p.a[0]!.toString(), p.a[1]!.toString(), '1'],
    pi_b: [
      [p.b[0]![1]!.toString(), p.b[0]![0]!.toString()],
      [p.b[1]![1]!.toString(), p.b[1]![0]!.toString()],
      ['1', '0'],
    ],
    pi_c: [p.c[0]!.toString(), p.c[1]!.toString(), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  }) as unknown as Groth16Proof

/** The gate's one body cap: chunks are kept up to `max` bytes, and a body above it is refused (413). */
function bodyCap(max: number) {
  const chunks: Uint8Array[] = []
  let size = 0
  return {
    /** A declared content-length above the cap is refused before anything is read. */
    declaredTooLarge: (contentLength: string | null | undefined): boolean => Number(contentLength ?? '0') > max,
    /** Keeps a chunk; false once the body is above the cap. */
    add(chunk: Uint8Array): boolean {
      size += chunk.length
      if (size > max) return false
      chunks.push(chunk)
      return true
    },
    body: (): Buffer => Buffer.concat(chunks),
    refusal: () => new PaymentError('ZKPAY_BODY_TOO_LARGE', `Request body above ${max} bytes.`, 413),
  }
}

/** node:http's body under the cap; above it the rest is drained (not kept), so the 413 can still be sent. */
function readNodeBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const cap = bodyCap(max)
  return new Promise((resolve, reject) => {
    let over = cap.declaredTooLarge(req.headers['content-length'])
    if (over) {
      reject(cap.refusal())
      req.resume()
      return
    }
    req.on('data', (chunk: Buffer) => {
      if (over || cap.add(chunk)) return
      over = true
      reject(cap.refusal())
      req.resume()
    })
    req.on('end', () => resolve(cap.body()))
    req.on('error', reject)
  })
}

/** A web-standard Request's body under the cap, read with a running count: a chunked body has no content-length to trust. */
async function readFetchBody(request: Request, max: number): Promise<Buffer> {
  const cap = bodyCap(max)
  if (cap.declaredTooLarge(request.headers.get('content-length'))) throw cap.refusal()
  if (request.body)
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>)
      if (!cap.add(chunk)) throw cap.refusal()
  return cap.body()
}

/** How long background work waits for a moment with no call being served, at most. */
const IDLE_WAIT_MS = 1_000

const encodeBody = (body: ErrorBody): Uint8Array => new TextEncoder().encode(JSON.stringify(body))

/**
 * The server side of zk-rln payments: 402 with the requirements, then for a payment — schema,
 * pool and scope, the request binding, the root window, the Groth16 proof (off the main thread),
 * and an atomic nullifier claim before the handler runs. A retry replays the recorded answer; a
 * double-spend recovers the secret and slashes the deposit on-chain.
 */
export function createZkPayGate(options: ZkPayGateOptions): ZkPayGate {
  const { pool, publicClient } = options
  const network = `eip155:${pool.chainId}`
  const vkeyHash = sha256Hex(readFileSync(artifactPaths('credit').vkey))
  const vkey = loadVerificationKey('credit')
  const cacheMs = options.rootCacheMs ?? 2_000
  const maxBody = options.maxBodyBytes ?? 1_000_000
  const scanFrom = options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }
  const emit = (e: GateEvent) => options.onEvent?.(e)

  const now = options.now ?? Date.now
  // calls being served now. Work no call waits for (a refresh of the root view) runs once none is,
  // or after IDLE_WAIT_MS of steady traffic: on 2 cores its RPC round trip (this thread, and the
  // node's) would otherwise run beside a call's pairing check and delay it
  let serving = 0
  let idleTasks: Array<() => void> = []
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  const runIdleTasks = () => {
    clearTimeout(idleTimer)
    idleTimer = undefined
    const tasks = idleTasks
    idleTasks = []
    for (const t of tasks) t()
  }
  const whenIdle = (task: () => void) => {
    idleTasks.push(task)
    if (serving === 0) setImmediate(runIdleTasks)
    else idleTimer ??= setTimeout(runIdleTasks, IDLE_WAIT_MS).unref()
  }
  const roots = createRootTracker({
    publicClient,
    pool: pool.address,
    rootWindow: pool.rootWindow,
    recheckMs: options.rootRecheckMs ?? 250,
    now,
    background: whenIdle,
    ...scanFrom,
  })

  // the anonymity set the 402 advertises: the pool's live deposits, counted from the same events
  // the root view follows, and reused for cacheMs
  let anonymity: { count: number; at: number } | undefined
  async function anonymitySet(): Promise<number> {
    if (anonymity && now() - anonymity.at < cacheMs) return anonymity.count
    try {
      anonymity = { count: await roots.liveDeposits(cacheMs), at: now() }
    } catch {
      // the chain is unreachable: the last count, kept for a while (advisory: clients count for themselves)
      anonymity = { count: anonymity?.count ?? 0, at: now() }
    }
    return anonymity.count
  }

  const accepts = async (ticketsRequired?: number): Promise<PaymentRequirements> => ({
    scheme: SCHEME,
    network,
    amount: pool.price.toString(),
    asset: pool.token ?? zeroAddress,
    payTo: pool.address,
    maxTimeoutSeconds: Number(pool.rootWindow),
    extra: {
      scope: pool.scope.toString(),
      vkeyHash,
      rootWindowSeconds: Number(pool.rootWindow),
      anonymitySet: await anonymitySet(),
      ...(options.preverify ? { preverify: true } : {}),
      ...(options.tokensPerTicket ? { tokensPerTicket: options.tokensPerTicket } : {}),
      ...(ticketsRequired ? { ticketsRequired } : {}),
    },
  })

  const requirements = async (url: string, ticketsRequired?: number): Promise<PaymentRequired> => ({
    x402Version: 2,
    resource: { url, ...(options.description ? { description: options.description } : {}) },
    accepts: [await accepts(ticketsRequired)],
    // x402 v2 extensions: proofs sent ahead of their call are Hermit's, declared as one
    ...(options.preverify ? { extensions: { [PREVERIFY_EXTENSION]: preverifyDeclaration } } : {}),
  })
  const preverifyDeclaration = {
    info: {
      header: 'PAYMENT-PREVERIFY',
      success: 204,
      description: 'A precomputed proof, verified ahead of its call.',
    },
  }
  const supported = (): SupportedResponse => ({
    kinds: [{ x402Version: 2, scheme: SCHEME, network, extra: { payTo: pool.address, scope: pool.scope.toString() } }],
    extensions: options.preverify ? [PREVERIFY_EXTENSION] : [],
    signers: {},
  })
  const supportedPath = options.supportedPath === undefined ? '/supported' : options.supportedPath

  // proofs verified ahead of their call, one slot per ticket (nullifier → proof key, when): entries
  // are bounded by real tickets, not by how many re-randomized copies of one proof someone sends;
  // the first verified proof keeps the slot; a restart only means verifying them again
  const preverified = new Map<bigint, { key: string; at: number }>()
  const aheadInFlight = new Set<bigint>()
  const aheadOptions = typeof options.preverify === 'object' ? options.preverify : {}
  const capacity = aheadOptions.capacity ?? 100_000
  const burst = aheadOptions.perConnection?.burst ?? 16
  const perSecond = aheadOptions.perConnection?.perSecond ?? 8
  const maxPending = options.maxPendingVerifications ?? 256
  const retryAfter = options.retryAfterSeconds ?? 1
  for (const [name, v] of Object.entries({ capacity, burst, maxPending, retryAfter }))
    if (!Number.isSafeInteger(v) || v < 1)
      throw new ZkPayError('ZKPAY_BAD_OPTIONS', `${name} must be a positive integer.`)
  if (!(perSecond > 0)) throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'preverify.perConnection.perSecond must be above 0.')
  const preverifyTtlMs = Number(pool.rootWindow) * 1000
  /** Was exactly this proof verified ahead (and recently enough that its root could still be accepted)? */
  const wasPreverified = (nullifier: bigint, key: string): boolean => {
    const hit = preverified.get(nullifier)
    return hit !== undefined && now() - hit.at <= preverifyTtlMs && hit.key === key
  }

  // proofs sent ahead, per connection: a token bucket (a pairing check each is worth rate-limiting)
  const buckets = new WeakMap<object, { tokens: number; at: number }>()
  function takeToken(connection: object | undefined): void {
    if (!connection) return
    const t = now()
    const b = buckets.get(connection) ?? { tokens: burst, at: t }
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond)
    b.at = t
    buckets.set(connection, b)
    if (b.tokens < 1)
      throw new PaymentError('ZKPAY_RATE_LIMITED', 'Too many proofs sent ahead on this connection; retry later.', 429)
    b.tokens -= 1
  }

  // the pairing checks waiting or running: bounded, so a flood is shed (503) instead of queued
  const counts = { pending: 0, highWater: 0, pairings: 0, shed: 0 }
  async function verifyProof(payload: {
    proof: Parameters<typeof toSnark>[0]
    publicSignals: readonly bigint[]
  }): Promise<boolean> {
    if (counts.pending >= maxPending) {
      counts.shed++
      throw new PaymentError('ZKPAY_OVERLOADED', 'Too many payments are being verified; retry shortly.', 503)
    }
    counts.pending++
    counts.pairings++
    counts.highWater = Math.max(counts.highWater, counts.pending)
    try {
      const proof = toSnark(payload.proof)
      const signals = payload.publicSignals.map(String)
      return await (options.verifier ? options.verifier.verify(proof, signals) : verifyCredit(proof, signals, vkey))
    } finally {
      counts.pending--
    }
  }

  const staleRoot = () =>
    new PaymentError(
      'ZKPAY_STALE_ROOT',
      "The proof's Merkle root is not (or no longer) accepted: prove the same ticket against another root in the window.",
      402,
    )
  const doubleSpend = (slashed: boolean) =>
    new PaymentError(
      'ZKPAY_DOUBLE_SPEND',
      `This ticket was already spent on another request${slashed ? '; the deposit has been slashed' : ''}.`,
      402,
    )

  type Payload = Parameters<typeof proofKey>[0] & Pick<PaymentClaim, 'publicSignals' | 'oneTimeKey'>
  /**
   * One path for a call and for a proof sent ahead, cheapest checks first and the pairing last:
   * the pure checks (checkPayment: pool, scope, the binding, the one-time key's signature), the
   * root (from the gate's view of the pool's events, no RPC per request), the nullifier's state
   * (a spent ticket is refused or replayed without a pairing check), then the Groth16 proof in the
   * bounded queue — unless exactly this proof was verified ahead, or is the recorded one.
   */
  async function admit(
    accepted: PaymentClaim['accepted'],
    payload: Payload,
    binding: PaymentTarget['binding'],
  ): Promise<{ signals: PaymentSignals; key: string; verifiedAhead: boolean; seen: boolean }> {
    const check = checkPayment({ accepted, ...payload }, { pool, binding })
    if (!check.ok) throw check.refusal
    const signals = check.signals
    if (!(await roots.accepts(signals.root))) throw staleRoot()
    const key = proofKey(payload)
    const spent = await options.store.peek(signals.scope, signals.nullifier)
    if (spent && binding === 'ahead')
      throw new PaymentError('ZKPAY_TICKET_CONSUMED', 'This ticket is spent already; nothing to verify ahead.', 410)
    // a double-spend already recorded: both shares are kept, nothing more to learn from this one
    if (spent && spent.x !== signals.x && spent.slash !== null) throw doubleSpend(spent.slash === 'slashed')
    // the very proof that was claimed: a retry, replayed without checking it again
    if (spent && spent.x === signals.x && spent.proofKey === key)
      return { signals, key, verifiedAhead: true, seen: true }
    const verifiedAhead = payload.oneTimeKey !== undefined && wasPreverified(signals.nullifier, key)
    if (!verifiedAhead && !(await verifyProof(payload)))
      throw new PaymentError('ZKPAY_INVALID_PROOF', 'The proof does not verify.', 402)
    return { signals, key, verifiedAhead, seen: spent !== null }
  }

  /** Checks a precomputed proof before its call; spends nothing (the nullifier is claimed by the call). */
  async function preverify(header: string | string[], connection: object | undefined): Promise<StoredResponse> {
    if (!options.preverify)
      throw new PaymentError(
        'ZKPAY_PREVERIFY_UNSUPPORTED',
        'This server does not take proofs ahead of their call.',
        400,
      )
    takeToken(connection)
    if (Array.isArray(header)) throw new PaymentError('ZKPAY_MALFORMED', 'More than one PAYMENT-PREVERIFY header.')
    const ahead = decodeHeader(preverifyPayloadSchema, header, 'PAYMENT-PREVERIFY')
    const nullifier = ahead.payload.publicSignals[1]
    // one pairing check per ticket: the first verified proof keeps its slot, a copy (re-randomized
    // or not) sent later or meanwhile neither replaces it nor costs a pairing check
    const held = preverified.get(nullifier)
    const key = proofKey(ahead.payload)
    if (held && now() - held.at <= preverifyTtlMs) {
      if (held.key === key) return { status: 204, headers: {}, body: new Uint8Array() }
      throw new PaymentError('ZKPAY_ALREADY_PREVERIFIED', 'Another proof of this ticket was verified ahead.', 409)
    }
    if (aheadInFlight.has(nullifier))
      throw new PaymentError('ZKPAY_ALREADY_PREVERIFIED', 'A proof of this ticket is being verified ahead.', 409)
    aheadInFlight.add(nullifier)
    try {
      const { signals } = await admit(ahead.accepted, ahead.payload, 'ahead')
      preverified.delete(signals.nullifier) // an expired entry: the fresh one goes to the back
      if (preverified.size >= capacity) preverified.delete(preverified.keys().next().value!)
      preverified.set(signals.nullifier, { key, at: now() })
    } finally {
      aheadInFlight.delete(nullifier)
    }
    emit({ kind: 'preverified', nullifier })
    return { status: 204, headers: {}, body: new Uint8Array() }
  }

  const slasher = createSlasher({
    publicClient,
    pool,
    store: options.store,
    slasher: options.slasher,
    attempts: options.slashAttempts ?? 8,
    receiptTimeoutMs: options.slashReceiptTimeoutMs ?? 120_000,
    scanFrom,
    emit,
  })
  const slash = slasher.slash
  const retryPendingSlashes = slasher.retryPending
  // a slash left pending by an earlier process (it crashed, or its attempts ran out) is tried again
  if (options.slasher)
    void Promise.resolve()
      .then(retryPendingSlashes)
      .catch(() => {})

  const send = (r: StoredResponse, payment?: PaymentResponse): StoredResponse => ({
    status: r.status,
    headers: { ...r.headers, ...(payment ? { [HEADER_RESPONSE]: paymentResponseHeader(payment) } : {}) },
    body: r.body,
  })

  async function refuse(url: string, error: PaymentError, ticketsRequired?: number): Promise<StoredResponse> {
    emit({ kind: 'rejected', status: error.status, code: error.code })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (error.status === 402)
      headers[HEADER_REQUIRED] = encodeHeader({
        ...(await requirements(url, ticketsRequired)),
        error: error.shortMessage,
      })
    if (error.status === 503 || error.status === 429) headers['retry-after'] = String(retryAfter)
    // x402: a payment that was tried and refused says so in PAYMENT-RESPONSE (success: false, snake_case reason)
    if (error.code !== 'ZKPAY_PAYMENT_REQUIRED')
      headers[HEADER_RESPONSE] = paymentFailureHeader(network, error.code, error.shortMessage)
    return {
      status: error.status,
      headers,
      body: encodeBody({ error: { code: error.code, message: error.shortMessage } }),
    }
  }

  /** PAYMENT-SIGNATURE, then PAYMENT-SIGNATURE-2, -3, … as long as they come (at most MAX_TICKETS_PER_CALL). */
  function ticketHeaders(req: PaidRequest): string[] {
    const out: string[] = []
    for (let i = 0; i < MAX_TICKETS_PER_CALL; i++) {
      const h = req.headers[ticketHeaderName(i)]
      if (h === undefined) break
      if (Array.isArray(h))
        throw new PaymentError('ZKPAY_MALFORMED', `More than one ${ticketHeaderName(i).toUpperCase()} header.`)
      out.push(h)
    }
    if (req.headers[ticketHeaderName(MAX_TICKETS_PER_CALL)] !== undefined)
      throw new PaymentError('ZKPAY_MALFORMED', `More than ${MAX_TICKETS_PER_CALL} tickets in one call.`)
    return out
  }

  /**
   * Claims one ticket: undefined when it is new; the recorded answer when this is a retry; throws
   * when it is being served, was never answered, or is a double-spend (slashed here).
   */
  async function claimTicket(signals: PaymentSignals, key: string): Promise<StoredResponse | undefined> {
    const { scope, nullifier, x, y } = signals
    const claim = await options.store.claim({ ...signals, proofKey: key })
    preverified.delete(nullifier) // the ticket is claimed now: its slot is done either way
    if (claim.status === 'new') return undefined
    if (claim.status === 'replay') {
      emit({ kind: 'replay', nullifier })
      if (!claim.response) {
        // claimed but never answered (the server died mid-call): the ticket is spent; say so instead of "retry" forever
        if (Date.now() - claim.claimedAt > (options.inProgressTimeoutMs ?? 60_000))
          throw new PaymentError(
            'ZKPAY_TICKET_CONSUMED',
            'This ticket was consumed by a call that was never answered; pay with a new ticket.',
            410,
          )
        throw new PaymentError('ZKPAY_IN_PROGRESS', 'This payment is being served; retry shortly.', 409)
      }
      return claim.response
    }
    let slashTx: Hash | null = (claim.slashedTx as Hash | null) ?? null
    let error: string | undefined
    if (!slashTx) {
      try {
        const previous = { x: claim.previous.x, y: claim.previous.y }
        const sk = recoverSecret(previous, { x, y })
        // both shares and the secret are on disk (sealed) before any slash is tried: a crash loses nothing
        await options.store.recordDoubleSpend(scope, nullifier, [previous, { x, y }], sk)
        slashTx = await slash(scope, nullifier, sk)
      } catch (e) {
        error = shortMessageOf(e)
      }
    }
    emit({ kind: 'double-spend', nullifier, slashTx, ...(error ? { error } : {}) })
    throw doubleSpend(slashTx !== null)
  }

  /** One call, counted while it is served (see whenIdle). */
  async function serve(
    req: PaidRequest,
    body: Buffer,
    handler: PaidHandler,
    early?: EarlyStart,
  ): Promise<StoredResponse> {
    serving++
    try {
      return await serveCall(req, body, handler, early)
    } finally {
      if (--serving === 0 && idleTasks.length > 0) setImmediate(runIdleTasks)
    }
  }

  async function serveCall(
    req: PaidRequest,
    body: Buffer,
    handler: PaidHandler,
    early?: EarlyStart,
  ): Promise<StoredResponse> {
    const url = req.url
    let needed: number | undefined
    try {
      if (supportedPath && req.method === 'GET' && url.split('?')[0] === supportedPath)
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: new TextEncoder().encode(JSON.stringify(supported())),
        }
      const aheadHeader = req.headers[HEADER_PREVERIFY]
      if (aheadHeader !== undefined) return await preverify(aheadHeader, req.connection)
      needed = options.ticketsFor ? options.ticketsFor(req, body) : 1
      const headers = ticketHeaders(req)
      if (headers.length === 0)
        throw new PaymentError(
          'ZKPAY_PAYMENT_REQUIRED',
          `Payment required: ${needed === 1 ? 'one zk-rln ticket' : `${needed} zk-rln tickets`} for this call.`,
          402,
        )
      if (headers.length < needed)
        throw new PaymentError(
          'ZKPAY_TOO_FEW_TICKETS',
          `This call costs ${needed} tickets; ${headers.length} came with it.`,
          402,
        )
      const payments = headers.map((h, i) => decodePaymentPayload(h, ticketHeaderName(i).toUpperCase()))
      const admitted = await Promise.all(
        payments.map((p) => admit(p.accepted, p.payload, { request: { method: req.method, url, body } })),
      )
      const nullifiers = admitted.map((a) => a.signals.nullifier)
      if (new Set(nullifiers).size !== nullifiers.length)
        throw new PaymentError('ZKPAY_MALFORMED', 'The same ticket twice in one call.')
      // tickets never seen (nearly every call): what the handler needs may start beside the claims
      const undo = early && !admitted.some((a) => a.seen) ? early({ body, nullifiers }) : undefined
      // one at a time, in order: a retry of the same call meets its first ticket's record first
      let recorded: StoredResponse | undefined
      const fresh: PaymentSignals[] = []
      try {
        for (const a of admitted) {
          const r = await claimTicket(a.signals, a.key)
          if (r) recorded ??= r
          else fresh.push(a.signals)
        }
      } catch (e) {
        undo?.()
        throw e
      }
      const nullifier = nullifiers[0]!
      if (recorded) {
        undo?.()
        for (const t of fresh) await options.store.saveResponse(t.scope, t.nullifier, recorded)
        return send(recorded, { success: true, network, nullifier: nullifier.toString(), status: 'replay' })
      }
      const payment: PaymentResponse = { success: true, network, nullifier: nullifier.toString(), status: 'new' }
      let result: StoredResponse
      try {
        const paymentHeaders = send({ status: 200, headers: {}, body: new Uint8Array() }, payment).headers
        const out = await handler(req, { body, nullifier, nullifiers, paymentHeaders })
        result = {
          status: out.status ?? 200,
          headers: out.headers ?? {},
          body: typeof out.body === 'string' ? new TextEncoder().encode(out.body) : out.body,
        }
      } catch (e) {
        result = {
          status: 500,
          headers: { 'content-type': 'application/json' },
          body: encodeBody({ error: { code: 'ZKPAY_HANDLER_FAILED', message: shortMessageOf(e) } }),
        }
      }
      // the tickets are spent either way: a retry gets this same answer, never a second charge
      for (const t of fresh) {
        await options.store.saveResponse(t.scope, t.nullifier, result)
        emit({ kind: 'paid', nullifier: t.nullifier })
      }
      return send(result, payment)
    } catch (error) {
      if (error instanceof PaymentError) return refuse(url, error, needed)
      return refuse(
        url,
        new PaymentError('ZKPAY_PAYMENT_FAILED', `Payment could not be processed: ${shortMessageOf(error)}`, 500),
      )
    }
  }

  /** Serves a request whose body `read` gives; one that cannot be read (too large, cut off) is refused. */
  async function serveRead(
    paid: PaidRequest,
    read: () => Promise<Buffer>,
    handler: PaidHandler,
  ): Promise<StoredResponse> {
    try {
      return await serve(paid, await read(), handler)
    } catch (error) {
      return refuse(
        paid.url,
        error instanceof PaymentError
          ? error
          : new PaymentError('ZKPAY_PAYMENT_FAILED', 'The request could not be read.', 400),
      )
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, handler: PaidHandler): Promise<void> {
    const paid: PaidRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      connection: req.socket,
    }
    const out = await serveRead(paid, () => readNodeBody(req, maxBody), handler)
    if (res.headersSent) return
    res.writeHead(out.status, out.headers)
    res.end(Buffer.from(out.body))
  }

  async function fetchHandler(request: Request, handler: PaidHandler): Promise<Response> {
    const u = new URL(request.url)
    const headers: Record<string, string> = {}
    request.headers.forEach((v, k) => (headers[k.toLowerCase()] = v))
    const paid: PaidRequest = { method: request.method, url: `${u.pathname}${u.search}`, headers }
    const out = await serveRead(paid, () => readFetchBody(request, maxBody), handler)
    return new Response(out.status === 204 || out.status === 304 ? null : Buffer.from(out.body), {
      status: out.status,
      headers: out.headers,
    })
  }

  const stats = (): GateStats => ({
    pendingVerifications: counts.pending,
    highWaterVerifications: counts.highWater,
    pairings: counts.pairings,
    shed: counts.shed,
    rootRefreshes: roots.stats().refreshes,
  })

  return { requirements, process: serve, handle, fetch: fetchHandler, stats, retryPendingSlashes, supported }
}
