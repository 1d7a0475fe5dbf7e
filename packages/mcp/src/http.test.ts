import { request } from 'node:http'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { startMcpHttp, type McpHttpServer } from './http.ts'
import { callTool, devnetMcpOptions } from './testing/index.ts'

const net = useDevnet()
const TOKEN = 'a-test-bearer-token-0123456789'
let http: McpHttpServer

beforeAll(async () => {
  http = await startMcpHttp(devnetMcpOptions(net()), { token: TOKEN })
})
afterAll(() => http?.close())

const connect = async (token: string | undefined) => {
  const client = new Client({ name: 'http-test', version: '0' })
  await client.connect(
    new StreamableHTTPClientTransport(new URL(http.url), {
      requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    }),
  )
  return client
}

/** A raw POST with the headers a browser under DNS rebinding would send. */
function post(headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const url = new URL(http.url)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let body = ''
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode!, body }))
      },
    )
    req.on('error', reject)
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '0' } },
      }),
    )
  })
}

describe('hermit MCP over Streamable HTTP', () => {
  it('binds 127.0.0.1 by default; with the bearer token the SDK client lists the tools and calls one', async () => {
    expect(new URL(http.url).hostname).toBe('127.0.0.1')
    const client = await connect(TOKEN)
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('verify_transaction')
      const r = await callTool(client, 'verify_transaction', {
        from: net().accounts[1]!.address,
        to: net().accounts[2]!.address,
        value: parseEther('0.01').toString(),
      })
      expect(r.isError).toBe(false)
      expect(['allow', 'warn']).toContain(r.structured.verdict)
    } finally {
      await client.close()
    }
  })

  it('the token is required: none or a wrong one is 401 before any MCP message is read', async () => {
    await expect(connect(undefined)).rejects.toThrow(/401|bearer/i)
    await expect(connect('a-wrong-token-of-the-same-len')).rejects.toThrow(/401|bearer/i)
    const raw = await post({ host: new URL(http.url).host })
    expect(raw.status).toBe(401)
    expect(JSON.parse(raw.body).error.data.code).toBe('MCP_UNAUTHORIZED')
  })

  it('a foreign Host or Origin is refused (DNS rebinding), even with the token', async () => {
    const port = new URL(http.url).port
    const auth = { authorization: `Bearer ${TOKEN}` }
    const rebound = await post({ host: `attacker.example:${port}`, ...auth })
    expect(rebound.status).toBe(403)
    expect(JSON.parse(rebound.body).error.data.code).toBe('MCP_HOST_REFUSED')
    const origin = await post({ host: `127.0.0.1:${port}`, origin: 'https://attacker.example', ...auth })
    expect(origin.status).toBe(403)
    const local = await post({ host: `localhost:${port}`, origin: `http://localhost:${port}`, ...auth })
    expect(local.status).toBe(200)
  })
})
