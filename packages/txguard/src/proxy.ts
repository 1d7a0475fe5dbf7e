import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  parseTransaction,
  recoverTransactionAddress,
  type Chain,
  type Hex,
  type TransactionSerialized,
  type PublicClient,
  type Transport,
} from 'viem'
import { z } from 'zod'
import { shortMessageOf } from '@hermit/errors'
import type { Report } from './report.ts'
import { verify, type VerifyOptions } from './verify.ts'

export type GuardProxyOptions = Omit<VerifyOptions, 'client'> & {
  /** The real RPC the wallet would talk to; every other call is forwarded unchanged. */
  upstream: string
  /** Where requests are simulated: a fork of upstream (default: upstream itself, read-only debug_traceCall). */
  simulation: PublicClient<Transport, Chain>
  /** Called before each check, e.g. to bring the fork to the upstream head. */
  beforeCheck?: () => Promise<void>
  port?: number
  host?: string
  /** Verdicts that are refused (default: only block). */
  refuse?: Array<'warn' | 'block'>
  /** Every checked request, with the page's `Origin` header when the wallet sent one. */
  onCheck?: (method: string, report: Report, origin: string | null) => void
  /**
   * Asked about every warn the proxy does not refuse outright, before forwarding it: the request
   * waits for the answer (`hermit guard --ui` holds it until the person decides on the page).
   * Anything but 'allow', a throw included, refuses it.
   */
  decide?: (check: GuardCheck) => Promise<'allow' | 'refuse'>
  maxBodyBytes?: number
}

export type GuardCheck = { method: string; report: Report; origin: string | null }

export type GuardProxy = { url: string; close(): Promise<void> }

const rpcSchema = z.looseObject({
  jsonrpc: z.literal('2.0').optional(),
  id: z.union([z.string(), z.number(), z.null()]).optional(),
  method: z.string().min(1).max(100),
  params: z.array(z.unknown()).optional(),
})
type RpcRequest = z.output<typeof rpcSchema>

class UncheckableError extends Error {}

/** EIP-1474: "Transaction rejected". */
export const REJECTED = -32003

/**
 * A JSON-RPC proxy to put in front of any wallet: it forwards everything to `upstream` but checks
 * eth_sendTransaction, eth_sendRawTransaction, eth_signTypedData_v4, eth_sign and personal_sign first,
 * and refuses what the verifier blocks.
 */
export async function startGuardProxy(options: GuardProxyOptions): Promise<GuardProxy> {
  const refuse = new Set(options.refuse ?? ['block'])
  const chainId = options.simulation.chain.id
  let queue = Promise.resolve()

  const forward = async (body: unknown) => {
    const res = await fetch(options.upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return res.json() as Promise<unknown>
  }

  /** Only the fields that matter are copied (never a `kind` or anything else the dapp adds). */
  const TX_FIELDS = [
    'from',
    'to',
    'value',
    'data',
    'input',
    'gas',
    'gasPrice',
    'maxFeePerGas',
    'maxPriorityFeePerGas',
    'nonce',
    'authorizationList',
  ] as const
  const pickTx = (t: unknown) => {
    const src = (t && typeof t === 'object' ? t : {}) as Record<string, unknown>
    const out: Record<string, unknown> = { chainId }
    for (const k of TX_FIELDS) if (src[k] !== undefined) out[k] = src[k]
    return out
  }

  async function toVerifyInput(r: RpcRequest): Promise<unknown | null> {
    const p = r.params ?? []
    switch (r.method) {
      case 'eth_sendTransaction':
      case 'eth_signTransaction':
        return pickTx(p[0])
      case 'eth_sendRawTransaction': {
        const raw = p[0] as Hex
        const tx = parseTransaction(raw)
        const from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized })
        return {
          chainId: tx.chainId ?? chainId,
          from,
          to: tx.to ?? null,
          value: tx.value ?? 0n,
          data: tx.data ?? '0x',
          ...(tx.gas !== undefined ? { gas: tx.gas } : {}),
          ...(tx.gasPrice !== undefined ? { gasPrice: tx.gasPrice } : {}),
          ...(tx.maxFeePerGas !== undefined ? { maxFeePerGas: tx.maxFeePerGas } : {}),
          ...(tx.maxPriorityFeePerGas !== undefined ? { maxPriorityFeePerGas: tx.maxPriorityFeePerGas } : {}),
          ...(tx.authorizationList
            ? {
                authorizationList: tx.authorizationList.map((a) => ({
                  address: a.address,
                  chainId: a.chainId,
                  nonce: a.nonce,
                })),
              }
            : {}),
        }
      }
      case 'eth_signTypedData_v4':
      case 'eth_signTypedData_v3': {
        const typed = (typeof p[1] === 'string' ? JSON.parse(p[1]) : p[1]) as Record<string, unknown>
        const { domain, types, primaryType, message } = typed ?? {}
        return { chainId, from: p[0], typedData: { domain, types, primaryType, message } }
      }
      case 'eth_sign':
        return { chainId, from: p[0], method: 'eth_sign', message: p[1] }
      case 'personal_sign':
        return { chainId, from: p[1], method: 'personal_sign', message: p[0] }
      default:
        // anything else that signs or sends is refused rather than waved through unchecked
        if (/sign|send|^wallet_(?!get|watch|switch|add|request|revoke)/i.test(r.method))
          throw new UncheckableError(r.method)
        return null
    }
  }

  async function handle(raw: unknown, origin: string | null): Promise<unknown> {
    const parsed = rpcSchema.safeParse(raw)
    if (!parsed.success) return { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid request' } }
    const r = parsed.data
    let input: unknown
    try {
      input = await toVerifyInput(r)
    } catch (error) {
      if (error instanceof UncheckableError)
        return {
          jsonrpc: '2.0',
          id: r.id ?? null,
          error: { code: REJECTED, message: `Hermit cannot check ${r.method}, so it refuses it.` },
        }
      return {
        jsonrpc: '2.0',
        id: r.id ?? null,
        error: { code: -32602, message: `Invalid params: ${shortMessageOf(error)}` },
      }
    }
    if (input === null) return forward(raw)
    // one check at a time: the fork is shared
    const run = queue.then(async () => {
      await options.beforeCheck?.()
      return verify(input, { ...options, client: options.simulation })
    })
    queue = run.then(
      () => undefined,
      () => undefined,
    )
    let report: Report
    try {
      report = await run
    } catch (error) {
      // a request Hermit cannot check is refused, not waved through
      return {
        jsonrpc: '2.0',
        id: r.id ?? null,
        error: {
          code: REJECTED,
          message: `Hermit could not check this request: ${shortMessageOf(error)}`,
        },
      }
    }
    options.onCheck?.(r.method, report, origin)
    if (report.verdict === 'warn' && !refuse.has('warn') && options.decide) {
      const answer = await options.decide({ method: r.method, report, origin }).catch(() => 'refuse' as const)
      if (answer !== 'allow')
        return {
          jsonrpc: '2.0',
          id: r.id ?? null,
          error: {
            code: REJECTED,
            message: `Hermit refused (warn, not allowed): ${report.reasons[0]?.message ?? 'see data'}`,
            data: {
              verdict: report.verdict,
              reasons: report.reasons.map((f) => ({ id: f.id, severity: f.severity, message: f.message })),
            },
          },
        }
    }
    if (refuse.has(report.verdict as 'warn' | 'block')) {
      return {
        jsonrpc: '2.0',
        id: r.id ?? null,
        error: {
          code: REJECTED,
          message: `Hermit refused (${report.verdict}): ${report.reasons[0]?.message ?? 'see data'}`,
          data: {
            verdict: report.verdict,
            reasons: report.reasons.map((f) => ({ id: f.id, severity: f.severity, message: f.message })),
          },
        },
      }
    }
    const sent = await forward(raw)
    // forwarded and answered without an error: signed (or sent) through Hermit, so its counterparties are known from now on
    if (options.record && !(sent as { error?: unknown } | null)?.error)
      options.record.note({
        chainId: report.request.chainId,
        user: report.request.from,
        counterparties: report.counterparties,
        verdict: report.verdict,
        signed: true,
        at: Math.floor(Date.now() / 1000),
      })
    return sent
  }

  const server: Server = createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
    }
    if (req.method !== 'POST')
      return reply(405, { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'POST JSON-RPC only' } })
    let body: unknown
    try {
      body = JSON.parse(await readBody(req, options.maxBodyBytes ?? 1_000_000))
    } catch {
      return reply(400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } })
    }
    try {
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : null
      reply(
        200,
        Array.isArray(body) ? await Promise.all(body.map((b) => handle(b, origin))) : await handle(body, origin),
      )
    } catch (error) {
      reply(502, {
        jsonrpc: '2.0',
        id: null,
        error: { code: -32603, message: `Upstream failed: ${(error as Error).message}` },
      })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port, address } = server.address() as AddressInfo
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > max) {
        reject(new Error('body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
