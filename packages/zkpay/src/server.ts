import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import { zeroAddress, type Hash } from 'viem'
import { writeAndWait, type Reader, type Wallet } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import {
  artifactPaths,
  creditLeaf,
  loadVerificationKey,
  recoverSecret,
  verifyCredit,
  type Groth16Proof,
} from '@hermit/circuits'
import { shortMessageOf } from '@hermit/errors'
import { checkPayment, type PaymentClaim, type PaymentSignals, type PaymentTarget } from './check.ts'
import { PaymentError, ZkPayError, type PaymentErrorCode } from './errors.ts'
import { isKnownRoot, type PoolInfo } from './pool.ts'
import {
  HEADER_PREVERIFY,
  HEADER_REQUIRED,
  HEADER_RESPONSE,
  HEADER_SIGNATURE,
  SCHEME,
  decodeHeader,
  encodeHeader,
  paymentPayloadSchema,
  preverifyPayloadSchema,
  proofKey,
  sha256Hex,
  type ErrorBody,
  type PaymentRequired,
  type PaymentRequirements,
  type PaymentResponse,
} from './protocol.ts'
import type { NullifierStore, StoredResponse } from './store.ts'
import { liveDepositCounter, removalSiblings, syncTree } from './sync.ts'
import type { ProofVerifierPool } from './verifier.ts'

/** A request as the gate sees it, whatever the HTTP framework: `url` is the path and query. */
export type PaidRequest = { method: string; url: string; headers: Record<string, string | string[] | undefined> }

export type PaidHandler = (
  req: PaidRequest,
  ctx: { body: Buffer; nullifier: bigint },
) => Promise<{ status?: number; headers?: Record<string, string>; body: string | Uint8Array }>

export type GateEvent =
  | { kind: 'paid'; nullifier: bigint }
  | { kind: 'replay'; nullifier: bigint }
  | { kind: 'double-spend'; nullifier: bigint; slashTx: Hash | null; error?: string }
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
  maxBodyBytes?: number
  /** How long chain answers are cached: a root's "known", the anonymity set the 402 advertises (default 2 s). */
  rootCacheMs?: number
  /** Block the pool was deployed at, for event scans. */
  fromBlock?: bigint
  /** After this long, a claimed but unanswered payment is reported as consumed (410), not in progress. */
  inProgressTimeoutMs?: number
  /**
   * Accept precomputed proofs ahead of their call (PAYMENT-PREVERIFY, advertised in the
   * requirements): the pairing check then runs before the call, which only checks the one-time
   * key's signature. Verified proofs are remembered in memory, at most `capacity` (default 100,000).
   */
  preverify?: boolean | { capacity?: number }
  onEvent?: (e: GateEvent) => void
}

export type ZkPayGate = {
  /** What the 402 advertises for `resourceUrl`; `extra.anonymitySet` is the pool's live deposits, counted from its events. */
  requirements(resourceUrl: string): Promise<PaymentRequired>
  /** The gate itself, framework-free: a request in, the response to send out. */
  process(req: PaidRequest, body: Buffer, handler: PaidHandler): Promise<StoredResponse>
  /** node:http, and Express (`app.use((req, res) => gate.handle(req, res, handler))`, before any body parser). */
  handle(req: IncomingMessage, res: ServerResponse, handler: PaidHandler): Promise<void>
  /** Web-standard Request → Response: Hono (`app.all('*', (c) => gate.fetch(c.req.raw, handler))`), Bun, Deno, workers. */
  fetch(request: Request, handler: PaidHandler): Promise<Response>
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

  // the anonymity set the 402 advertises: the pool's live deposits, counted from its events
  // (incrementally, shared by concurrent requests) and cached like a root's answer
  const countLiveDeposits = liveDepositCounter(publicClient, pool.address, scanFrom)
  let anonymity: { count: number; at: number } | undefined
  async function anonymitySet(): Promise<number> {
    if (anonymity && Date.now() - anonymity.at < cacheMs) return anonymity.count
    try {
      anonymity = { count: await countLiveDeposits(), at: Date.now() }
    } catch {
      // the chain is unreachable: the last count, kept for a while (advisory: clients count for themselves)
      anonymity = { count: anonymity?.count ?? 0, at: Date.now() }
    }
    return anonymity.count
  }

  const accepts = async (): Promise<PaymentRequirements> => ({
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
    },
  })

  const requirements = async (url: string): Promise<PaymentRequired> => ({
    x402Version: 2,
    resource: { url, ...(options.description ? { description: options.description } : {}) },
    accepts: [await accepts()],
  })

  const rootCache = new Map<bigint, { ok: boolean; at: number }>()
  async function rootKnown(root: bigint): Promise<boolean> {
    const hit = rootCache.get(root)
    if (hit && Date.now() - hit.at < cacheMs) return hit.ok
    const ok = await isKnownRoot(publicClient, pool.address, root)
    // bounded: roots come from requests, so an attacker picks them
    if (rootCache.size >= 1024) rootCache.delete(rootCache.keys().next().value!)
    rootCache.set(root, { ok, at: Date.now() })
    return ok
  }

  // proofs verified ahead of their call, one slot per ticket (nullifier → proof key, when): entries
  // are bounded by real tickets, not by how many re-randomized copies of one proof someone sends;
  // a restart only means verifying them again
  const preverified = new Map<bigint, { key: string; at: number }>()
  const capacity = typeof options.preverify === 'object' ? (options.preverify.capacity ?? 100_000) : 100_000
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'preverify.capacity must be a positive integer.')
  const preverifyTtlMs = Number(pool.rootWindow) * 1000
  /** Was exactly this proof verified ahead (and recently enough that its root could still be accepted)? */
  const wasPreverified = (nullifier: bigint, proof: Parameters<typeof proofKey>[0]): boolean => {
    const hit = preverified.get(nullifier)
    return hit !== undefined && Date.now() - hit.at <= preverifyTtlMs && hit.key === proofKey(proof)
  }

  const verifyProof = (payload: {
    proof: Parameters<typeof toSnark>[0]
    publicSignals: readonly bigint[]
  }): Promise<boolean> => {
    const proof = toSnark(payload.proof)
    const signals = payload.publicSignals.map(String)
    return options.verifier ? options.verifier.verify(proof, signals) : verifyCredit(proof, signals, vkey)
  }

  type Payload = Parameters<typeof proofKey>[0] & Pick<PaymentClaim, 'publicSignals' | 'oneTimeKey'>
  /**
   * One path for a call and for a proof sent ahead: the pure checks (checkPayment), then the root
   * window, then the Groth16 proof. The pairing check starts first, in a worker, and the other
   * checks run meanwhile; a proof verified ahead skips it (only a one-time key's proof can).
   */
  async function admit(
    accepted: PaymentClaim['accepted'],
    payload: Payload,
    binding: PaymentTarget['binding'],
  ): Promise<{ signals: PaymentSignals; verifiedAhead: boolean }> {
    const verifiedAhead =
      payload.oneTimeKey !== undefined && preverified.size > 0 && wasPreverified(payload.publicSignals[1], payload)
    const verifying = verifiedAhead ? Promise.resolve(true) : verifyProof(payload)
    verifying.catch(() => {}) // awaited below; a refusal before that must not leave it unhandled
    const check = checkPayment({ accepted, ...payload }, { pool, binding })
    if (!check.ok) throw check.refusal
    if (!(await rootKnown(check.signals.root)))
      throw new PaymentError(
        'ZKPAY_STALE_ROOT',
        "The proof's Merkle root is not (or no longer) accepted: sync the tree and prove again.",
        402,
      )
    if (!(await verifying)) throw new PaymentError('ZKPAY_INVALID_PROOF', 'The proof does not verify.', 402)
    return { signals: check.signals, verifiedAhead }
  }

  /** Checks a precomputed proof before its call; spends nothing (the nullifier is claimed by the call). */
  async function preverify(header: string | string[]): Promise<StoredResponse> {
    if (!options.preverify)
      throw new PaymentError(
        'ZKPAY_PREVERIFY_UNSUPPORTED',
        'This server does not take proofs ahead of their call.',
        400,
      )
    if (Array.isArray(header)) throw new PaymentError('ZKPAY_MALFORMED', 'More than one PAYMENT-PREVERIFY header.')
    const ahead = decodeHeader(preverifyPayloadSchema, header, 'PAYMENT-PREVERIFY')
    const { signals, verifiedAhead } = await admit(ahead.accepted, ahead.payload, 'ahead')
    if (!verifiedAhead) {
      preverified.delete(signals.nullifier)
      if (preverified.size >= capacity) preverified.delete(preverified.keys().next().value!)
      preverified.set(signals.nullifier, { key: proofKey(ahead.payload), at: Date.now() })
    }
    emit({ kind: 'preverified', nullifier: signals.nullifier })
    return { status: 204, headers: {}, body: new Uint8Array() }
  }

  const slashing = new Map<bigint, Promise<Hash | null>>()
  /** One slash at a time per secret, however many double-spends arrive together. */
  function slash(sk: bigint): Promise<Hash | null> {
    let run = slashing.get(sk)
    if (!run) {
      run = slashOnce(sk).finally(() => slashing.delete(sk))
      slashing.set(sk, run)
    }
    return run
  }

  async function slashOnce(sk: bigint): Promise<Hash | null> {
    if (!options.slasher) return null
    const synced = await syncTree(publicClient, pool.address, scanFrom)
    for (const [i, leaf] of synced.leaves.entries()) {
      const n = synced.tickets[i]!
      if (creditLeaf(sk, n) !== leaf) continue
      const [, , status] = await publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'deposits',
        args: [BigInt(i)],
      })
      if (status !== 1 && status !== 2) continue // already slashed or exited: nothing left to take
      const siblings = synced.removed.has(i) ? [] : removalSiblings(synced.tree, i)
      const receipt = await writeAndWait(
        { publicClient, walletClient: options.slasher },
        { address: pool.address, abi: creditPoolAbi, functionName: 'slash', args: [sk, n, BigInt(i), siblings] },
      )
      return receipt.transactionHash
    }
    return null
  }

  const send = (r: StoredResponse, payment?: PaymentResponse): StoredResponse => ({
    status: r.status,
    headers: { ...r.headers, ...(payment ? { [HEADER_RESPONSE]: encodeHeader(payment) } : {}) },
    body: r.body,
  })

  async function refuse(url: string, error: PaymentError): Promise<StoredResponse> {
    emit({ kind: 'rejected', status: error.status, code: error.code })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (error.status === 402)
      headers[HEADER_REQUIRED] = encodeHeader({ ...(await requirements(url)), error: error.shortMessage })
    return {
      status: error.status,
      headers,
      body: encodeBody({ error: { code: error.code, message: error.shortMessage } }),
    }
  }

  async function serve(req: PaidRequest, body: Buffer, handler: PaidHandler): Promise<StoredResponse> {
    const url = req.url
    try {
      const aheadHeader = req.headers[HEADER_PREVERIFY]
      if (aheadHeader !== undefined) return await preverify(aheadHeader)
      const header = req.headers[HEADER_SIGNATURE]
      if (header === undefined)
        throw new PaymentError('ZKPAY_PAYMENT_REQUIRED', 'Payment required: one zk-rln ticket per call.', 402)
      if (Array.isArray(header)) throw new PaymentError('ZKPAY_MALFORMED', 'More than one PAYMENT-SIGNATURE header.')
      const payment = decodeHeader(paymentPayloadSchema, header, 'PAYMENT-SIGNATURE')
      const { signals } = await admit(payment.accepted, payment.payload, { request: { method: req.method, url, body } })
      const { scope, nullifier, x, y } = signals

      const claim = await options.store.claim(signals)
      preverified.delete(nullifier) // the ticket is claimed now: its slot is done either way
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
        return send(claim.response, { success: true, network, nullifier: nullifier.toString(), status: 'replay' })
      }
      if (claim.status === 'double-spend') {
        let slashTx: Hash | null = (claim.slashedTx as Hash | null) ?? null
        let error: string | undefined
        if (!slashTx) {
          try {
            const sk = recoverSecret({ x: claim.previous.x, y: claim.previous.y }, { x, y })
            slashTx = await slash(sk)
            if (slashTx) await options.store.markSlashed(scope, nullifier, slashTx)
          } catch (e) {
            error = shortMessageOf(e)
          }
        }
        emit({ kind: 'double-spend', nullifier, slashTx, ...(error ? { error } : {}) })
        throw new PaymentError(
          'ZKPAY_DOUBLE_SPEND',
          `This ticket was already spent on another request${slashTx ? '; the deposit has been slashed' : ''}.`,
          402,
        )
      }
      let result: StoredResponse
      try {
        const out = await handler(req, { body, nullifier })
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
      // the ticket is spent either way: a retry gets this same answer, never a second charge
      await options.store.saveResponse(scope, nullifier, result)
      emit({ kind: 'paid', nullifier })
      return send(result, { success: true, network, nullifier: nullifier.toString(), status: 'new' })
    } catch (error) {
      if (error instanceof PaymentError) return refuse(url, error)
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
    const paid: PaidRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }
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

  return { requirements, process: serve, handle, fetch: fetchHandler }
}
