/**
 * `hermit gateway`: a paid, anonymous front for an OpenAI-compatible or Ollama model server. Paid
 * routes go through the zk-rln gate (k tickets, k by size); model lists are free. Answers pass
 * through as the upstream gives them (status, body, error bodies, streams event by event); the
 * gateway only clamps the answer budget to what was paid, forces usage reports it needs, and logs
 * nothing about who called or what was asked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Reader, Wallet } from '@hermit/chain'
import { shortMessageOf } from '@hermit/errors'
import type { TokenUsage } from '@hermit/llm'
import {
  HEADER_SIGNATURE,
  createZkPayGate,
  type GateEvent,
  type NullifierStore,
  type EarlyStart,
  type PaidHandler,
  type PoolInfo,
  type ProofVerifierPool,
  type ZkPayGate,
  type ZkPayGateOptions,
} from '@hermit/zkpay'
import { GatewayError, type GatewayErrorCode } from './errors.ts'
import { createMetrics, type Metrics } from './metrics.ts'
import { readBody } from './body.ts'
import {
  FREE_ROUTES,
  PAID_ROUTES,
  apiOf,
  isJsonObject,
  parseJson,
  quote,
  type PaidRoute,
  type Pricing,
} from './pricing.ts'
import { apiError } from './api-error.ts'
import { cutEvents, eventSplitter, headWithFirstEvent, readEvent } from './stream.ts'
import { createUpstream, readAll } from './upstream.ts'

export type GatewayOptions = Pricing & {
  publicClient: Reader
  pool: PoolInfo
  /** The model server: an OpenAI-compatible base (without /v1) or an Ollama host. */
  upstream: string
  store: NullifierStore
  verifier?: ProofVerifierPool
  /** Signs slash() when a double-spend reveals a secret. */
  slasher?: Wallet
  fromBlock?: bigint
  /** Sent to the upstream on every call (the provider's own API key, say); nothing from the caller is. */
  upstreamHeaders?: Record<string, string>
  /** Any other gate option (preverify, the queue bound, …). */
  gate?: Partial<Omit<ZkPayGateOptions, 'publicClient' | 'pool' | 'store' | 'verifier' | 'slasher' | 'onEvent'>>
  onEvent?: (e: GateEvent) => void
}

export type Gateway = {
  gate: ZkPayGate
  metrics: Metrics
  /** node:http handler for every route, /healthz and /metrics. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Listens on `host` (default 127.0.0.1); `onRequest` sees each request first (tests look at what arrives). */
  listen(options?: {
    port?: number
    host?: string
    onRequest?: (req: IncomingMessage) => void
  }): Promise<{ url: string; close(): Promise<void> }>
}

/** A store whose every operation is timed into the store histogram. */
function timedStore(store: NullifierStore, metrics: Metrics): NullifierStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      return (...args: unknown[]) => {
        const t0 = performance.now()
        const out = (v as (...a: unknown[]) => unknown).apply(target, args)
        if (out instanceof Promise)
          return out.finally(() => metrics.store.observe((performance.now() - t0) / 1000, { op: String(prop) }))
        return out
      }
    },
  })
}

/** The verifier pool with each check timed into the proof-check histogram. */
function timedVerifier(verifier: ProofVerifierPool, metrics: Metrics): ProofVerifierPool {
  return new Proxy(verifier, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (prop !== 'verify' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v
      return (...args: Parameters<ProofVerifierPool['verify']>) => {
        const t0 = performance.now()
        return target.verify(...args).finally(() => metrics.proofCheck.observe((performance.now() - t0) / 1000))
      }
    },
  })
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

/** The request as the upstream gets it: the answer budget clamped to what was paid, usage asked for when streaming. */
function upstreamBody(route: PaidRoute, body: Buffer, limit: number): { body: string; keepUsage: boolean } | null {
  const parsed = parseJson(body)
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null
  const req = { ...(parsed as Record<string, unknown>) }
  let keepUsage = true
  if (route.kind !== 'embedding') {
    if (route.api === 'ollama') {
      const options = typeof req.options === 'object' && req.options !== null ? req.options : {}
      const asked = (options as { num_predict?: unknown }).num_predict
      const n = typeof asked === 'number' && asked >= 0 ? Math.min(asked, limit) : limit
      req.options = { ...options, num_predict: n }
    } else {
      const field = req.max_completion_tokens !== undefined ? 'max_completion_tokens' : 'max_tokens'
      const asked = req[field]
      req[field] = typeof asked === 'number' && asked >= 0 ? Math.min(asked, limit) : limit
      if (req.stream === true) {
        const so = typeof req.stream_options === 'object' && req.stream_options !== null ? req.stream_options : {}
        keepUsage = (so as { include_usage?: unknown }).include_usage === true
        req.stream_options = { ...so, include_usage: true }
      }
    }
  }
  return { body: JSON.stringify(req), keepUsage }
}

export function createGateway(options: GatewayOptions): Gateway {
  const tpt = options.tokensPerTicket
  if (!Number.isSafeInteger(tpt) || tpt < 1)
    throw new GatewayError('GATEWAY_BAD_OPTIONS', 'tokensPerTicket must be a positive integer.', {
      hint: 'A ticket must buy at least one token: lower --price-per-1k-tokens or raise the pool price.',
    })
  const pricing: Pricing = {
    tokensPerTicket: tpt,
    defaultMaxTokens: options.defaultMaxTokens ?? 256,
    maxTickets: options.maxTickets ?? 64,
  }
  const metrics = createMetrics()
  // a body above what the most tickets buy (one token per 4 bytes) or the gate's own cap is never read whole
  const maxBody = Math.min(options.gate?.maxBodyBytes ?? 1_000_000, pricing.maxTickets! * tpt * 4 - 4)
  const upstreamServer = createUpstream(options.upstream)
  const routeOf = (url: string | undefined) => (url ?? '/').split('?')[0]!
  const gate = createZkPayGate({
    ...options.gate,
    publicClient: options.publicClient,
    pool: options.pool,
    store: timedStore(options.store, metrics),
    ...(options.verifier ? { verifier: timedVerifier(options.verifier, metrics) } : {}),
    ...(options.slasher ? { slasher: options.slasher } : {}),
    ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
    tokensPerTicket: tpt,
    ticketsFor: (req, body) => {
      const route = PAID_ROUTES[routeOf(req.url)]
      return route ? Math.min(quote(route, body, pricing).tickets, pricing.maxTickets!) : 1
    },
    onEvent: (e) => {
      if (e.kind === 'paid') metrics.tickets.inc()
      if (e.kind === 'rejected') metrics.refusals.inc({ reason: e.code })
      if (e.kind === 'double-spend') metrics.refusals.inc({ reason: 'ZKPAY_DOUBLE_SPEND' })
      options.onEvent?.(e)
    },
  })

  const countUsage = (u: TokenUsage | undefined) => {
    if (!u) return
    metrics.tokens.inc({ kind: 'prompt' }, u.promptTokens)
    metrics.tokens.inc({ kind: 'completion' }, u.completionTokens)
  }

  /** Model lists: free, forwarded with nothing of the caller's. */
  async function free(path: string, res: ServerResponse): Promise<void> {
    try {
      const up = await upstreamServer.request(path, { method: 'GET', headers: { ...options.upstreamHeaders } })
      const bytes = await readAll(up)
      res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'application/json' })
      res.end(bytes)
    } catch (e) {
      upstreamDown(res, apiOf(path), e)
    }
  }

  function upstreamDown(res: ServerResponse, api: 'openai' | 'ollama', e: unknown) {
    const err = new GatewayError(
      'GATEWAY_UPSTREAM_UNREACHABLE',
      `The model server is unreachable: ${shortMessageOf(e)}`,
    )
    json(res, 502, apiError(api, err.code, err.shortMessage))
  }

  /**
   * One paid request: `early` sends the model its request as soon as the payment is proved (the
   * gate calls it before it claims the tickets, and undoes it if a claim refuses), and `handler`
   * (run once the tickets are claimed) answers from that request, writing `res` itself for a
   * stream, and gives the gate what to record for a replay.
   */
  const paid = (route: PaidRoute, path: string, res: ServerResponse, t0: number) => {
    const abort = new AbortController()
    // the caller went away: stop the model too
    res.on('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    let sent: {
      up: NonNullable<ReturnType<typeof upstreamBody>>
      limit: number
      answer: Promise<IncomingMessage>
    } | null
    let tried = false
    const send = (body: Buffer, tickets: number) => {
      if (tried) return sent
      tried = true
      const limit = tickets * tpt - quote(route, body, pricing).promptTokens
      const up = upstreamBody(route, body, limit)
      if (!up) return (sent = null)
      const forwarded = performance.now()
      const answer = upstreamServer.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.upstreamHeaders },
        body: up.body,
        signal: abort.signal,
      })
      answer.then(
        () => metrics.upstreamFirstByte.observe((performance.now() - forwarded) / 1000),
        () => {}, // the handler reads the failure, or the request was undone
      )
      return (sent = { up, limit, answer })
    }
    const early: EarlyStart = (ctx) => {
      send(ctx.body, ctx.nullifiers.length)
      return () => abort.abort()
    }
    const handler: PaidHandler = async (_req, ctx) => {
      metrics.verification.observe((performance.now() - t0) / 1000)
      const call = send(ctx.body, ctx.nullifiers.length)
      if (!call) {
        const body = JSON.stringify(
          apiError(route.api, 'GATEWAY_BAD_REQUEST', 'The request body is not a JSON object.'),
        )
        return { status: 400, headers: { 'content-type': 'application/json' }, body }
      }
      const { up, limit } = call
      let answer: IncomingMessage
      try {
        answer = await call.answer
      } catch (e) {
        const err = new GatewayError(
          'GATEWAY_UPSTREAM_UNREACHABLE',
          `The model server is unreachable: ${shortMessageOf(e)}`,
        )
        return {
          status: 502,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(apiError(route.api, err.code, err.shortMessage)),
        }
      }
      const status = answer.statusCode ?? 502
      const type = answer.headers['content-type'] ?? 'application/json'
      const streamed = /text\/event-stream|application\/x-ndjson/.test(type)
      if (!streamed) {
        const bytes = new Uint8Array(await readAll(answer))
        countUsage(usageOf(route, parseJson(bytes)))
        return { status, headers: { 'content-type': type }, body: bytes }
      }
      // a stream: the head (with the payment response) with its first event, then each event as it completes
      res.writeHead(status, {
        ...ctx.paymentHeaders,
        'content-type': type,
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      })
      headWithFirstEvent(res)
      const recorded: string[] = []
      const write = (s: string) => {
        recorded.push(s)
        if (!res.destroyed) res.write(s)
      }
      const split = eventSplitter(route.api)
      let served = 0
      let cut = false
      const model = (parseJson(ctx.body) as { model?: unknown } | undefined)?.model
      try {
        outer: for await (const chunk of answer as AsyncIterable<Buffer>) {
          for (const raw of split.push(chunk)) {
            const e = readEvent(route.api, raw, up.keepUsage)
            countUsage(e.usage)
            if (e.out !== null) write(e.out)
            if (e.served) served++
            if (served >= limit && !e.done) {
              cut = true
              break outer
            }
          }
        }
        const tail = split.flush()
        if (!cut && tail.trim() !== '') write(tail)
      } catch (e) {
        if (!abort.signal.aborted) throw e
      }
      if (cut) {
        abort.abort()
        metrics.cuts.inc()
        write(cutEvents(route, typeof model === 'string' ? model : undefined))
      }
      res.end()
      return { status, headers: { 'content-type': type }, body: recorded.join('') }
    }
    return { early, handler }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = performance.now()
    const path = routeOf(req.url)
    if (path === '/healthz') return json(res, 200, { ok: true })
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      res.end(metrics.render())
      return
    }
    if (FREE_ROUTES.has(path) && req.method === 'GET') {
      await free(path, res)
      metrics.calls.inc({ route: path, status: String(res.statusCode) })
      return
    }
    const route = PAID_ROUTES[path]
    if (!route) return json(res, 404, apiError(apiOf(path), 'GATEWAY_BAD_REQUEST', `No route ${path} here.`))
    const refuse = (status: number, code: GatewayErrorCode, message: string) => {
      metrics.refusals.inc({ reason: code })
      json(res, status, apiError(route.api, code, message))
      metrics.calls.inc({ route: path, status: String(status) })
    }
    const tooLarge = () =>
      refuse(413, 'GATEWAY_TOO_LARGE', `A call here buys at most ${pricing.maxTickets! * tpt} tokens.`)
    if (Number(req.headers['content-length'] ?? '0') > maxBody) {
      req.resume()
      return tooLarge()
    }
    // read and checked before the gate: a body no model can take is refused before a ticket is admitted or claimed
    const body = await readBody(req, maxBody)
    if (!body) return tooLarge()
    const paying = req.headers[HEADER_SIGNATURE] !== undefined
    if ((paying || body.length > 0) && !isJsonObject(body))
      return refuse(400, 'GATEWAY_BAD_REQUEST', 'The request body is not a JSON object.')
    const call = paid(route, path, res, t0)
    const out = await gate.process(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, connection: req.socket },
      body,
      call.handler,
      call.early,
    )
    // a stream was written by the handler itself; anything else is the gate's answer (or its replay)
    if (!res.headersSent) {
      res.writeHead(out.status, out.headers)
      res.end(Buffer.from(out.body))
    }
    metrics.calls.inc({ route: path, status: String(res.statusCode) })
  }

  return {
    gate,
    metrics,
    handle,
    async listen(o = {}) {
      const server: Server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
        o.onRequest?.(req)
        handle(req, res).catch(() => {
          if (!res.headersSent) json(res, 500, { error: 'internal error' })
          else res.destroy()
        })
      })
      await new Promise<void>((r) => server.listen(o.port ?? 0, o.host ?? '127.0.0.1', r))
      const { port } = server.address() as AddressInfo
      const host = o.host ?? '127.0.0.1'
      return {
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections()
            upstreamServer.close()
            server.close(() => r())
          }),
      }
    },
  }
}

/** The usage a whole (non-streamed) answer reports: OpenAI `usage`, Ollama `prompt_eval_count` / `eval_count`. */
function usageOf(route: PaidRoute, body: unknown): TokenUsage | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const b = body as {
    usage?: { prompt_tokens?: number; completion_tokens?: number }
    prompt_eval_count?: number
    eval_count?: number
  }
  if (route.api === 'openai')
    return b.usage
      ? { promptTokens: b.usage.prompt_tokens ?? 0, completionTokens: b.usage.completion_tokens ?? 0 }
      : undefined
  return b.prompt_eval_count !== undefined || b.eval_count !== undefined
    ? { promptTokens: b.prompt_eval_count ?? 0, completionTokens: b.eval_count ?? 0 }
    : undefined
}
