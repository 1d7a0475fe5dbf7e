/**
 * A paid gateway: one zk-rln ticket per call. Routes:
 *   POST /api/chat            Ollama-API-compatible chat, forwarded to OLLAMA_HOST when it is set
 *   POST /v1/txguard/verify   Hermit's transaction check (deterministic, no model needed)
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Chain, PublicClient, Transport } from 'viem'
import { verify, reportToJson } from '@hermit/txguard'
import { type PaidHandler, type PaidRequest, type ZkPayGate } from '@hermit/zkpay'
import { shortMessageOf } from '@hermit/errors'

export function gatewayHandler(options: {
  simulation: PublicClient<Transport, Chain>
  ollamaHost?: string
}): PaidHandler {
  return async (req: PaidRequest, { body }) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'POST' && path === '/api/chat') {
      if (!options.ollamaHost)
        return {
          status: 503,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: 'no model backend on this gateway: set OLLAMA_HOST' }),
        }
      const upstream = await fetch(`${options.ollamaHost.replace(/\/$/, '')}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      return {
        status: upstream.status,
        headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' },
        body: new Uint8Array(await upstream.arrayBuffer()),
      }
    }
    if (req.method === 'POST' && path === '/v1/txguard/verify') {
      try {
        const report = await verify(JSON.parse(body.toString('utf8')), { client: options.simulation })
        return { headers: { 'content-type': 'application/json' }, body: reportToJson(report) }
      } catch (e) {
        return {
          status: 400,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ error: shortMessageOf(e) }),
        }
      }
    }
    return {
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: 'not found' }),
    }
  }
}

export async function startGateway(
  gate: ZkPayGate,
  handler: PaidHandler,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => void gate.handle(req, res, handler))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
