import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getAddress, isAddressEqual, isHash, type Hex, type LocalAccount, type TransactionReceipt } from 'viem'
import { z } from 'zod'
import { propose, sendProposal, type Proposal, type ProposeOptions } from '@hermit/proposer'
import { isHermitError, shortMessageOf } from '@hermit/errors'
import { bundlePage } from './bundle.ts'
import { realEffects } from './effects.ts'
import { UiError, type UiErrorCode } from './errors.ts'
import type { GuardBoard } from './guard.ts'
import type { PaidSource } from './paid.ts'
import type { SentView, StateView } from './view.ts'
import { proposalView } from './views.ts'

export type UiOptions = {
  /** Proposing: the chain, the protocols, and who proposals are checked for. Absent: no Propose page. */
  propose?: {
    options: ProposeOptions
    /** Signs on the server (HERMIT_PRIVATE_KEY or a keystore); the key never reaches the page. */
    account?: LocalAccount
    /** Where signed transactions are recorded before broadcast (the proposer's journal). */
    journal: string
  }
  /** `hermit guard --ui`: the guard's checked requests, live, and the held warnings. */
  guard?: GuardBoard
  paid?: PaidSource
  /** 0 (default): a random free port. Always on 127.0.0.1. */
  port?: number
}

export type UiServer = {
  /** The page, with the one-time token: print it, open it, never log it elsewhere. */
  url: string
  origin: string
  token: string
  close(): Promise<void>
}

const proposeBody = z.strictObject({
  words: z.string().trim().min(1).max(500),
  from: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
})
const signBody = z.strictObject({ id: z.string().uuid(), confirmWarn: z.boolean().default(false) })
const submittedBody = z.strictObject({
  id: z.string().uuid(),
  hashes: z
    .array(z.string().refine((h) => isHash(h), 'a transaction hash'))
    .min(1)
    .max(10),
})
const decideBody = z.strictObject({ id: z.string().min(1).max(20), answer: z.enum(['allow', 'refuse']) })
const buyBody = z.strictObject({ tickets: z.number().int().min(1).max(1000) })

const MAX_BODY = 64 * 1024

/** No third party, no inline script, no framing: the page talks to this server only. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hermit</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<div id="app"><p>Loading Hermit…</p></div>
<script type="module" src="/app.js"></script>
</body>
</html>
`

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: UiErrorCode,
    message: string,
  ) {
    super(message)
  }
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    return Promise.reject(new HttpError(415, 'UI_BAD_REQUEST', 'Send application/json.'))
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new HttpError(413, 'UI_BAD_REQUEST', 'The request body is too large.'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        reject(new HttpError(400, 'UI_BAD_REQUEST', 'The body is not JSON.'))
      }
    })
    req.on('error', reject)
  })
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value)
  if (r.success) return r.data
  const issue = r.error.issues[0]!
  throw new UiError('UI_BAD_REQUEST', `${issue.path.join('.') || 'body'}: ${issue.message}`)
}

/**
 * `hermit ui`: one local page for proposing, signing and watching the guard. It listens on
 * 127.0.0.1 only, answers only requests whose `Host` (and, when sent, `Origin`) is this server
 * itself — a page on another site, or a DNS name rebound to 127.0.0.1, gets 403 — and every call
 * but the static script and style needs the one-time token the URL carries.
 */
export async function startUi(o: UiOptions): Promise<UiServer> {
  const { js, css } = await bundlePage()
  const token = randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const proposals = new Map<string, Proposal>()
  const streams = new Set<ServerResponse>()
  let port = 0

  const hostsOk = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`])
  const originsOk = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`])
  const hasToken = (req: IncomingMessage, url: URL) => {
    const given = (req.headers['x-hermit-token'] as string | undefined) ?? url.searchParams.get('token') ?? ''
    const b = Buffer.from(given)
    return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes)
  }

  const proposing = () => {
    if (!o.propose) throw new UiError('UI_UNAVAILABLE', 'This server was started without a chain to propose on.')
    return o.propose
  }
  const proposalOf = (id: string) => {
    const p = proposals.get(id)
    if (!p) throw new UiError('UI_NOT_FOUND', `No proposal ${id}.`, { hint: 'Check the words again.' })
    return p
  }

  async function sentView(p: Proposal, receipts: TransactionReceipt[]): Promise<SentView> {
    const client = proposing().options.client
    return {
      sent: receipts.map((r) => ({
        hash: r.transactionHash,
        status: r.status,
        gasUsed: r.gasUsed.toString(),
        blockNumber: r.blockNumber.toString(),
      })),
      effects: await realEffects(
        client,
        p,
        receipts.filter((r) => r.status === 'success'),
      ),
    }
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`
    switch (route) {
      case 'GET /api/state': {
        const state: StateView = {
          chainId: o.propose?.options.client.chain.id ?? null,
          propose: o.propose !== undefined,
          signer: o.propose?.account?.address ?? null,
          guard: o.guard !== undefined,
          paid: o.paid !== undefined,
        }
        return json(res, 200, state)
      }
      case 'POST /api/propose': {
        const setup = proposing()
        const body = parse(proposeBody, await readJson(req))
        const user = body.from ? getAddress(body.from) : setup.options.user
        const p = await propose(body.words, { ...setup.options, user })
        const id = randomUUID()
        proposals.set(id, p)
        return json(res, 200, proposalView(id, p))
      }
      case 'POST /api/sign': {
        const setup = proposing()
        const body = parse(signBody, await readJson(req))
        const p = proposalOf(body.id)
        if (!setup.account)
          throw new UiError('UI_NO_SIGNER', 'This server has no local account to sign with.', {
            hint: 'Set HERMIT_PRIVATE_KEY before `hermit ui`, or send with your browser wallet.',
          })
        // sendProposal refuses a block always, and a warn unless the page's second click confirmed it
        const result = await sendProposal(p, {
          client: setup.options.client,
          account: setup.account,
          journal: setup.journal,
          yes: body.confirmWarn,
        })
        proposals.delete(body.id)
        const receipts = await Promise.all(
          result.sent.map((s) => setup.options.client.getTransactionReceipt({ hash: s.hash })),
        )
        return json(res, 200, await sentView(p, receipts))
      }
      case 'POST /api/submitted': {
        // the browser's wallet sent the proposal's transactions: show their receipts and real effects
        const setup = proposing()
        const body = parse(submittedBody, await readJson(req))
        const p = proposalOf(body.id)
        const receipts: TransactionReceipt[] = []
        for (const [i, hash] of body.hashes.entries()) {
          const step = p.steps[i]
          const tx = await setup.options.client.getTransaction({ hash: hash as Hex })
          if (!step || !tx.to || !isAddressEqual(tx.to, step.call.to) || tx.input !== step.call.data)
            throw new UiError('UI_BAD_REQUEST', `Transaction ${i + 1} is not step ${i + 1} of the proposal.`, {
              hint: 'The wallet sent something other than what Hermit checked.',
            })
          receipts.push(await setup.options.client.waitForTransactionReceipt({ hash: hash as Hex, timeout: 120_000 }))
        }
        return json(res, 200, await sentView(p, receipts))
      }
      case 'GET /api/guard/events': {
        if (!o.guard) throw new UiError('UI_UNAVAILABLE', 'The guard is not running with --ui.')
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' })
        const send = (e: unknown) => res.write(`data: ${JSON.stringify(e)}\n\n`)
        for (const e of o.guard.list()) send(e)
        const off = o.guard.subscribe(send)
        streams.add(res)
        const ping = setInterval(() => res.write(': ping\n\n'), 15_000).unref()
        req.on('close', () => {
          off()
          clearInterval(ping)
          streams.delete(res)
        })
        return
      }
      case 'POST /api/guard/decide': {
        if (!o.guard) throw new UiError('UI_UNAVAILABLE', 'The guard is not running with --ui.')
        const body = parse(decideBody, await readJson(req))
        return json(res, 200, o.guard.answer(body.id, body.answer))
      }
      case 'GET /api/paid': {
        if (!o.paid) throw new UiError('UI_UNAVAILABLE', 'No paid-calls client is configured.')
        return json(res, 200, await o.paid.state())
      }
      case 'POST /api/paid/buy': {
        if (!o.paid?.buy) throw new UiError('UI_UNAVAILABLE', 'Buying tickets is not configured here.')
        const body = parse(buyBody, await readJson(req))
        return json(res, 200, await o.paid.buy(body.tickets))
      }
      default:
        throw new HttpError(404, 'UI_NOT_FOUND', `No ${route}.`)
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    // DNS rebinding and cross-site requests: only this server's own host and origin are answered
    if (!hostsOk().has(req.headers.host ?? ''))
      return json(res, 403, { error: { code: 'UI_FORBIDDEN', message: 'Unexpected Host header.' } })
    const origin = req.headers.origin
    if (origin !== undefined && !originsOk().has(origin))
      return json(res, 403, { error: { code: 'UI_FORBIDDEN', message: 'Requests from other origins are refused.' } })
    if (req.method === 'GET' && url.pathname === '/app.js') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' })
      return res.end(js)
    }
    if (req.method === 'GET' && url.pathname === '/app.css') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' })
      return res.end(css)
    }
    if (req.method === 'GET' && url.pathname === '/favicon.ico') {
      res.writeHead(204, SECURITY_HEADERS)
      return res.end()
    }
    if (!hasToken(req, url)) {
      if (url.pathname.startsWith('/api/'))
        return json(res, 401, { error: { code: 'UI_TOKEN_REQUIRED', message: 'This call needs the page token.' } })
      res.writeHead(401, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' })
      return res.end(
        '<!doctype html><html lang="en"><title>Hermit</title><p>Open the link <code>hermit ui</code> printed: it carries the one-time token.</p></html>',
      )
    }
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' })
      return res.end(HTML)
    }
    try {
      await api(req, res, url)
    } catch (error) {
      if (error instanceof HttpError)
        return json(res, error.status, { error: { code: error.code, message: error.message } })
      if (isHermitError(error)) {
        const status = error.code === 'UI_NOT_FOUND' ? 404 : error.code === 'UI_BAD_REQUEST' ? 400 : 409
        return json(res, status, { error: error.toJSON() })
      }
      json(res, 500, { error: { code: 'UI_INTERNAL', message: shortMessageOf(error) } })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as AddressInfo).port
  const originUrl = `http://127.0.0.1:${port}`
  return {
    url: `${originUrl}/?token=${token}`,
    origin: originUrl,
    token,
    close: () =>
      new Promise<void>((r) => {
        o.guard?.close()
        for (const s of streams) s.end()
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
