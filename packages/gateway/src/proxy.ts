/**
 * `hermit pay proxy`: the OpenAI and Ollama routes on 127.0.0.1, paid for. Any app pointed at it
 * gets anonymous calls: each call is priced by size (the same `quote` the gateway runs), paid with
 * precomputed tickets, forwarded with nothing of the app's headers, and its answer streamed back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { shortMessageOf } from '@hermit/errors'
import { liveLeaves, oneUseFetch, type ZkPayClient } from '@hermit/zkpay'
import { apiError } from './api-error.ts'
import { GatewayError, type GatewayErrorCode } from './errors.ts'
import { FREE_ROUTES, PAID_ROUTES, apiOf, isJsonObject, quote, type Api } from './pricing.ts'
import { headWithFirstEvent } from './stream.ts'

export type PayProxyOptions = {
  client: ZkPayClient
  /** The gateway's base URL. */
  gateway: string
  /** Refuse to pay while the pool has fewer live deposits (default 3). */
  minAnonymitySet?: number
  /** Proofs kept ready ahead of calls (default 4). */
  precompute?: number
  /** Warn (stderr in the CLI) when this many tickets or fewer are left (default 10). */
  lowTickets?: number
  warn?: (message: string) => void
  /** How old a count of the anonymity set may get before it is renewed, in the background (default 5 s). */
  anonymityCacheMs?: number
}

export type ProxyStatus = {
  gateway: string
  pool: string
  ticketsLeft: number
  proofsReady: number
  anonymitySet: number
  minAnonymitySet: number
  tokensPerTicket: number | null
}

const MAX_BODY = 4 * 1024 * 1024

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) reject(new GatewayError('GATEWAY_TOO_LARGE', `Request body above ${MAX_BODY} bytes.`))
      else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export function createPayProxy(options: PayProxyOptions) {
  const gateway = options.gateway.replace(/\/+$/, '')
  const { client } = options
  const minAnonymity = options.minAnonymitySet ?? 3
  const lowTickets = options.lowTickets ?? 10
  const cacheMs = options.anonymityCacheMs ?? 5_000
  let anonymity: { count: number; at: number } | undefined
  let warnedAt: number | undefined

  let counting: Promise<number> | undefined
  const recount = (): Promise<number> =>
    (counting ??= client
      .sync()
      .then((tree) => (anonymity = { count: liveLeaves(tree), at: Date.now() }).count)
      .finally(() => (counting = undefined)))
  /**
   * The pool's live deposits. Only the first call waits for the chain; after that a call gets the
   * last count, and a count older than `anonymityCacheMs` is renewed in the background: a scan of
   * the pool's events (an RPC round trip or more) never sits on a call's path.
   */
  async function anonymitySet(): Promise<number> {
    if (!anonymity) return recount()
    if (Date.now() - anonymity.at >= cacheMs)
      recount().catch((e: unknown) => options.warn?.(`could not count the pool's deposits: ${shortMessageOf(e)}`))
    return anonymity.count
  }

  const fail = (res: ServerResponse, api: Api, status: number, code: GatewayErrorCode, message: string) => {
    options.warn?.(`refused a call: ${message}`)
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(apiError(api, code, message)))
  }

  function lowTicketWarning(): void {
    const left = client.spendableTickets()
    if (left > lowTickets || warnedAt === left) return
    warnedAt = left
    options.warn?.(`only ${left} tickets left: deposit again soon (hermit pay deposit)`)
  }

  async function status(): Promise<ProxyStatus> {
    return {
      gateway,
      pool: client.pool,
      ticketsLeft: client.spendableTickets(),
      proofsReady: client.readyProofs(),
      anonymitySet: await anonymitySet(),
      minAnonymitySet: minAnonymity,
      tokensPerTicket: client.requirements()?.extra.tokensPerTicket ?? null,
    }
  }

  async function forwardFree(path: string, res: ServerResponse): Promise<void> {
    // on a connection of its own, as the paid calls are
    const up = await oneUseFetch(`${gateway}${path}`)
    res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' })
    res.end(Buffer.from(await up.arrayBuffer()))
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!
    const api = apiOf(path)
    try {
      if (path === '/hermit/status') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify(await status()))
        return
      }
      if (FREE_ROUTES.has(path) && req.method === 'GET') return await forwardFree(path, res)
      const route = PAID_ROUTES[path]
      if (!route || req.method !== 'POST')
        return fail(res, api, 404, 'GATEWAY_BAD_REQUEST', `No ${req.method} ${path} on this proxy.`)
      const body = await readBody(req)
      // refused here, before a proof is spent on it: the gateway would refuse it too
      if (!isJsonObject(body))
        return fail(res, api, 400, 'GATEWAY_BAD_REQUEST', 'The request body is not a JSON object: not paying for it.')
      const live = await anonymitySet()
      if (live < minAnonymity)
        return fail(
          res,
          api,
          503,
          'GATEWAY_ANONYMITY_TOO_SMALL',
          `Only ${live} live deposits in the pool: calls would be easy to link (want at least ${minAnonymity}). Not paying.`,
        )
      const requirement = client.requirements()
      const tpt = requirement?.extra.tokensPerTicket
      const k = tpt ? quote(route, body, { tokensPerTicket: tpt }).tickets : 1
      const left = client.spendableTickets()
      if (left < k)
        return fail(
          res,
          api,
          402,
          'GATEWAY_NO_TICKETS',
          `This call costs ${k} tickets and ${left} are left: deposit again (hermit pay deposit).`,
        )
      const abort = new AbortController()
      res.on('close', () => {
        if (!res.writableFinished) abort.abort()
      })
      // nothing of the app's request but its body: no user agent, no key, no SDK headers
      const answer = await client.fetch(
        `${gateway}${path}`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: abort.signal },
        { tickets: k },
      )
      lowTicketWarning()
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
        'x-hermit-tickets': String(answer.tickets?.length ?? 1),
      })
      headWithFirstEvent(res)
      if (answer.body) for await (const chunk of answer.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk)
      res.end()
    } catch (e) {
      if (res.headersSent) return void res.destroy()
      const code = (e as { code?: unknown }).code
      if (code === 'ZKPAY_TICKETS_EXHAUSTED')
        return fail(res, api, 402, 'GATEWAY_NO_TICKETS', 'No tickets left: deposit again (hermit pay deposit).')
      if (code === 'ZKPAY_ANONYMITY_TOO_SMALL')
        return fail(res, api, 503, 'GATEWAY_ANONYMITY_TOO_SMALL', shortMessageOf(e))
      fail(res, api, 502, 'GATEWAY_PAYMENT_FAILED', `Could not pay the gateway: ${shortMessageOf(e)}`)
    }
  }

  return {
    status,
    handle,
    /** Learns the gateway's prices and makes the first proofs (resolves when they are ready). */
    start: () => client.precompute(`${gateway}/v1/chat/completions`, options.precompute ?? 4),
    async listen(o: { port?: number; host?: string } = {}) {
      const server: Server = createServer((req, res) => void handle(req, res))
      await new Promise<void>((r) => server.listen(o.port ?? 8787, o.host ?? '127.0.0.1', r))
      const { port } = server.address() as AddressInfo
      return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections()
            server.close(() => r())
          }),
      }
    },
  }
}
export type PayProxy = ReturnType<typeof createPayProxy>
