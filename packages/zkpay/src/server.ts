import type { IncomingMessage, ServerResponse } from 'node:http'
import { readFileSync } from 'node:fs'
import {
  zeroAddress,
  type Account,
  type Chain,
  type Hash,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import { creditPoolAbi } from '@hermit/contracts'
import {
  artifactPaths,
  creditLeaf,
  loadVerificationKey,
  recoverSecret,
  verifyCredit,
  type Groth16Proof,
} from '@hermit/circuits'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { hexToBytes } from '@noble/hashes/utils.js'
import { PaymentError, ZkPayError } from './errors.ts'
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
  oneTimeKeyX,
  requestBinding,
  requestBindingString,
  sha256Hex,
  type PaymentRequired,
  type PaymentRequirements,
  type PaymentResponse,
} from './protocol.ts'
import type { NullifierStore, StoredResponse } from './store.ts'
import { removalSiblings, syncTree } from './sync.ts'
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
  | { kind: 'rejected'; status: number; code: string }
  | { kind: 'preverified'; nullifier: bigint }

export type ZkPayGateOptions = {
  publicClient: PublicClient<Transport, Chain>
  pool: PoolInfo
  store: NullifierStore
  /** Signs slash() when a double-spend reveals a secret; without it the cheat is only refused. */
  slasher?: WalletClient<Transport, Chain, Account>
  /** Off-main-thread verification; without it proofs are verified inline. */
  verifier?: ProofVerifierPool
  description?: string
  maxBodyBytes?: number
  /** How long a root's "known" answer is cached (default 2 s). */
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
  requirements(resourceUrl: string): PaymentRequired
  /** The gate itself, framework-free: a request in, the response to send out. */
  process(req: PaidRequest, body: Buffer, handler: PaidHandler): Promise<StoredResponse>
  /** node:http, and Express (`app.use((req, res) => gate.handle(req, res, handler))`, before any body parser). */
  handle(req: IncomingMessage, res: ServerResponse, handler: PaidHandler): Promise<void>
  /** Web-standard Request → Response: Hono (`app.all('*', (c) => gate.fetch(c.req.raw, handler))`), Bun, Deno, workers. */
  fetch(request: Request, handler: PaidHandler): Promise<Response>
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > max) {
        reject(new PaymentError('BODY_TOO_LARGE', `Request body above ${max} bytes.`, 413))
        req.resume()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
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

/**
 * The server side of zk-rln payments: 402 with the requirements, then for a payment — schema,
 * pool and scope, the request binding, the root window, the Groth16 proof (off the main thread),
 * and an atomic nullifier claim before the handler runs. A retry replays the recorded answer; a
 * double-spend recovers the secret and slashes the deposit on-chain.
 */
export function createZkPayGate(o: ZkPayGateOptions): ZkPayGate {
  const vkeyHash = sha256Hex(readFileSync(artifactPaths('credit').vkey))
  const vkey = loadVerificationKey('credit')
  const rootCache = new Map<bigint, { ok: boolean; at: number }>()
  const emit = (e: GateEvent) => o.onEvent?.(e)

  const accepts = (): PaymentRequirements => ({
    scheme: SCHEME,
    network: `eip155:${o.pool.chainId}`,
    amount: o.pool.price.toString(),
    asset: o.pool.token ?? zeroAddress,
    payTo: o.pool.address,
    maxTimeoutSeconds: Number(o.pool.rootWindow),
    extra: {
      scope: o.pool.scope.toString(),
      vkeyHash,
      rootWindowSeconds: Number(o.pool.rootWindow),
      anonymitySet: 0,
      ...(o.preverify ? { preverify: true } : {}),
    },
  })

  const requirements = (url: string): PaymentRequired => ({
    x402Version: 2,
    resource: { url, ...(o.description ? { description: o.description } : {}) },
    accepts: [accepts()],
  })

  async function rootKnown(root: bigint): Promise<boolean> {
    const hit = rootCache.get(root)
    if (hit && Date.now() - hit.at < (o.rootCacheMs ?? 2_000)) return hit.ok
    const ok = await isKnownRoot(o.publicClient, o.pool.address, root)
    // bounded: roots come from requests, so an attacker picks them
    if (rootCache.size >= 1024) rootCache.delete(rootCache.keys().next().value!)
    rootCache.set(root, { ok, at: Date.now() })
    return ok
  }

  // proofs verified ahead of their call, one slot per ticket (nullifier → proof key, when): entries
  // are bounded by real tickets, not by how many re-randomized copies of one proof someone sends;
  // a restart only means verifying them again
  const preverified = new Map<bigint, { key: string; at: number }>()
  const capacity = typeof o.preverify === 'object' ? (o.preverify.capacity ?? 100_000) : 100_000
  if (!Number.isSafeInteger(capacity) || capacity < 1)
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', 'preverify.capacity must be a positive integer.')
  const preverifyTtlMs = Number(o.pool.rootWindow) * 1000
  /** Was exactly this proof verified ahead (and recently enough that its root could still be accepted)? */
  const wasPreverified = (nullifier: bigint, key: string): boolean => {
    const hit = preverified.get(nullifier)
    return hit !== undefined && hit.key === key && Date.now() - hit.at <= preverifyTtlMs
  }

  const verifyProof = (payload: {
    proof: Parameters<typeof toSnark>[0]
    publicSignals: readonly bigint[]
  }): Promise<boolean> => {
    const proof = toSnark(payload.proof)
    const signals = payload.publicSignals.map(String)
    return o.verifier ? o.verifier.verify(proof, signals) : verifyCredit(proof, signals, vkey)
  }

  /** Checks a precomputed proof before its call; spends nothing (the nullifier is claimed by the call). */
  async function preverify(header: string | string[]): Promise<StoredResponse> {
    if (!o.preverify)
      throw new PaymentError('PREVERIFY_UNSUPPORTED', 'This server does not take proofs ahead of their call.', 400)
    if (Array.isArray(header)) throw new PaymentError('PAYMENT_MALFORMED', 'More than one PAYMENT-PREVERIFY header.')
    const p = decodeHeader(preverifyPayloadSchema, header, 'PAYMENT-PREVERIFY')
    const [, nullifier, root, scope, x] = p.payload.publicSignals
    if (p.accepted.payTo !== o.pool.address || p.accepted.network !== `eip155:${o.pool.chainId}`)
      throw new PaymentError('PAYMENT_WRONG_POOL', 'The payment is for another pool or chain.')
    if (scope !== o.pool.scope) throw new PaymentError('PAYMENT_WRONG_SCOPE', "The proof's scope is not this pool's.")
    if (x !== oneTimeKeyX(p.payload.oneTimeKey.publicKey))
      throw new PaymentError('PAYMENT_WRONG_KEY', 'The proof is bound to another one-time key.')
    if (!(await rootKnown(root)))
      throw new PaymentError(
        'PAYMENT_STALE_ROOT',
        "The proof's Merkle root is not (or no longer) accepted: sync the tree and prove again.",
        402,
      )
    const key = proofKey(p.payload)
    if (!wasPreverified(nullifier, key)) {
      if (!(await verifyProof(p.payload)))
        throw new PaymentError('PAYMENT_INVALID_PROOF', 'The proof does not verify.', 402)
      preverified.delete(nullifier)
      if (preverified.size >= capacity) preverified.delete(preverified.keys().next().value!)
      preverified.set(nullifier, { key, at: Date.now() })
    }
    emit({ kind: 'preverified', nullifier })
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
    if (!o.slasher) return null
    const synced = await syncTree(
      o.publicClient,
      o.pool.address,
      o.fromBlock === undefined ? {} : { fromBlock: o.fromBlock },
    )
    for (const [i, leaf] of synced.leaves.entries()) {
      const n = synced.tickets[i]!
      if (creditLeaf(sk, n) !== leaf) continue
      const [, , status] = await o.publicClient.readContract({
        address: o.pool.address,
        abi: creditPoolAbi,
        functionName: 'deposits',
        args: [BigInt(i)],
      })
      if (status !== 1 && status !== 2) continue // already slashed or exited: nothing left to take
      const siblings = synced.removed.has(i) ? [] : removalSiblings(synced.tree, i)
      const hash = await o.slasher.writeContract({
        address: o.pool.address,
        abi: creditPoolAbi,
        functionName: 'slash',
        args: [sk, n, BigInt(i), siblings],
      })
      const r = await o.publicClient.waitForTransactionReceipt({ hash })
      return r.status === 'success' ? hash : null
    }
    return null
  }

  const send = (r: StoredResponse, payment?: PaymentResponse): StoredResponse => ({
    status: r.status,
    headers: { ...r.headers, ...(payment ? { [HEADER_RESPONSE]: encodeHeader(payment) } : {}) },
    body: r.body,
  })

  function refuse(url: string, error: PaymentError): StoredResponse {
    emit({ kind: 'rejected', status: error.status, code: error.code })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (error.status === 402)
      headers[HEADER_REQUIRED] = encodeHeader({ ...requirements(url), error: error.shortMessage })
    return {
      status: error.status,
      headers,
      body: new TextEncoder().encode(JSON.stringify({ error: { code: error.code, message: error.shortMessage } })),
    }
  }

  async function process(req: PaidRequest, body: Buffer, handler: PaidHandler): Promise<StoredResponse> {
    const url = req.url
    try {
      const aheadHeader = req.headers[HEADER_PREVERIFY]
      if (aheadHeader !== undefined) return await preverify(aheadHeader)
      const header = req.headers[HEADER_SIGNATURE]
      if (header === undefined)
        throw new PaymentError('PAYMENT_REQUIRED', 'Payment required: one zk-rln ticket per call.', 402)
      if (Array.isArray(header)) throw new PaymentError('PAYMENT_MALFORMED', 'More than one PAYMENT-SIGNATURE header.')
      const payment = decodeHeader(paymentPayloadSchema, header, 'PAYMENT-SIGNATURE')
      const [y, nullifier, root, scope, x] = payment.payload.publicSignals
      if (payment.accepted.payTo !== o.pool.address || payment.accepted.network !== `eip155:${o.pool.chainId}`)
        throw new PaymentError('PAYMENT_WRONG_POOL', 'The payment is for another pool or chain.')
      if (scope !== o.pool.scope) throw new PaymentError('PAYMENT_WRONG_SCOPE', "The proof's scope is not this pool's.")
      // the pairing check starts first, in a worker, and the cheaper checks below run meanwhile;
      // a proof verified ahead of its call (preverify) skips it — only a one-time key's proof can
      const ahead =
        payment.payload.oneTimeKey !== undefined &&
        preverified.size > 0 &&
        wasPreverified(nullifier, proofKey(payment.payload))
      const verifying = ahead ? Promise.resolve(true) : verifyProof(payment.payload)
      verifying.catch(() => {}) // awaited below; a refusal before that must not leave it unhandled
      const otk = payment.payload.oneTimeKey
      if (otk) {
        // a precomputed proof: bound to a one-time key, which signs this very request
        if (x !== oneTimeKeyX(otk.publicKey))
          throw new PaymentError('PAYMENT_WRONG_KEY', 'The proof is bound to another one-time key.')
        const message = new TextEncoder().encode(requestBindingString(req.method, url, body))
        let signed = false
        try {
          signed = secp256k1.verify(hexToBytes(otk.signature.slice(2)), message, hexToBytes(otk.publicKey.slice(2)))
        } catch {
          signed = false
        }
        if (!signed) throw new PaymentError('PAYMENT_WRONG_REQUEST', 'The one-time key did not sign this request.')
      } else if (x !== requestBinding(req.method, url, body))
        throw new PaymentError('PAYMENT_WRONG_REQUEST', 'The proof is bound to another request.')
      if (!(await rootKnown(root)))
        throw new PaymentError(
          'PAYMENT_STALE_ROOT',
          "The proof's Merkle root is not (or no longer) accepted: sync the tree and prove again.",
          402,
        )
      if (!(await verifying)) throw new PaymentError('PAYMENT_INVALID_PROOF', 'The proof does not verify.', 402)

      const claim = await o.store.claim({ scope, nullifier, x, y, root })
      preverified.delete(nullifier) // the ticket is claimed now: its slot is done either way
      const network = `eip155:${o.pool.chainId}`
      if (claim.status === 'replay') {
        emit({ kind: 'replay', nullifier })
        if (!claim.response) {
          // claimed but never answered (the server died mid-call): the ticket is spent; say so instead of "retry" forever
          if (Date.now() - claim.claimedAt > (o.inProgressTimeoutMs ?? 60_000))
            throw new PaymentError(
              'PAYMENT_CONSUMED',
              'This ticket was consumed by a call that was never answered; pay with a new ticket.',
              410,
            )
          throw new PaymentError('PAYMENT_IN_PROGRESS', 'This payment is being served; retry shortly.', 409)
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
            if (slashTx) await o.store.markSlashed(scope, nullifier, slashTx)
          } catch (e) {
            error = (e as Error).message.split('\n')[0]
          }
        }
        emit({ kind: 'double-spend', nullifier, slashTx, ...(error ? { error } : {}) })
        throw new PaymentError(
          'PAYMENT_DOUBLE_SPEND',
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
          body: new TextEncoder().encode(
            JSON.stringify({ error: { code: 'HANDLER_FAILED', message: (e as Error).message.split('\n')[0] } }),
          ),
        }
      }
      // the ticket is spent either way: a retry gets this same answer, never a second charge
      await o.store.saveResponse(scope, nullifier, result)
      emit({ kind: 'paid', nullifier })
      return send(result, { success: true, network, nullifier: nullifier.toString(), status: 'new' })
    } catch (error) {
      if (error instanceof PaymentError) return refuse(url, error)
      return refuse(
        url,
        new PaymentError(
          'PAYMENT_ERROR',
          `Payment could not be processed: ${(error as Error).message.split('\n')[0]}`,
          500,
        ),
      )
    }
  }

  const maxBody = o.maxBodyBytes ?? 1_000_000

  async function handle(req: IncomingMessage, res: ServerResponse, handler: PaidHandler): Promise<void> {
    const paid: PaidRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }
    let out: StoredResponse
    try {
      out = await process(paid, await readBody(req, maxBody), handler)
    } catch (error) {
      out = refuse(
        paid.url,
        error instanceof PaymentError
          ? error
          : new PaymentError('PAYMENT_ERROR', 'The request could not be read.', 400),
      )
    }
    if (res.headersSent) return
    res.writeHead(out.status, out.headers)
    res.end(Buffer.from(out.body))
  }

  async function fetchHandler(request: Request, handler: PaidHandler): Promise<Response> {
    const u = new URL(request.url)
    const headers: Record<string, string> = {}
    request.headers.forEach((v, k) => (headers[k.toLowerCase()] = v))
    const paid: PaidRequest = { method: request.method, url: `${u.pathname}${u.search}`, headers }
    // read with a running cap: a chunked body has no content-length to trust
    const chunks: Uint8Array[] = []
    let size = 0
    let tooLarge = Number(request.headers.get('content-length') ?? '0') > maxBody
    if (!tooLarge && request.body) {
      for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length
        if (size > maxBody) {
          tooLarge = true
          break
        }
        chunks.push(chunk)
      }
    }
    const out = tooLarge
      ? refuse(paid.url, new PaymentError('BODY_TOO_LARGE', `Request body above ${maxBody} bytes.`, 413))
      : await process(paid, Buffer.concat(chunks), handler)
    return new Response(out.status === 204 || out.status === 304 ? null : Buffer.from(out.body), {
      status: out.status,
      headers: out.headers,
    })
  }

  return { requirements, process, handle, fetch: fetchHandler }
}
