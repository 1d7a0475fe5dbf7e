import { randomUUID, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { newState, type HermitMcpOptions, type McpState } from './context.ts'
import { McpToolError } from './errors.ts'
import { createHermitMcpServer } from './server.ts'

export type McpHttpOptions = {
  /** Default 127.0.0.1: only this machine can reach it. */
  host?: string
  /** Default 0: any free port. */
  port?: number
  /** When set, every request needs `Authorization: Bearer <token>`. */
  token?: string
  /** Host names (no port) accepted in Host and Origin besides localhost, 127.0.0.1, [::1] and `host`. */
  allowedHosts?: string[]
}

export type McpHttpServer = { url: string; close(): Promise<void> }

const MAX_BODY = 4 * 1024 * 1024
const LOCAL = ['localhost', '127.0.0.1', '[::1]']

/** The host name of a Host header value or an Origin URL, lower case, without the port. */
function hostnameOf(value: string, isOrigin: boolean): string | undefined {
  try {
    return new URL(isOrigin ? value : `http://${value}`).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

function refuse(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message, data: { code } }, id: null }))
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) req.destroy(new McpToolError('MCP_BAD_ARGUMENTS', 'Request body too large.'))
      else chunks.push(c)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch (e) {
        reject(e)
      }
    })
    req.on('error', reject)
  })
}

/**
 * Hermit's MCP server over Streamable HTTP. A web page the user visits can make the browser send
 * requests to 127.0.0.1 (DNS rebinding): every request's Host, and its Origin when present, must
 * name this machine or an allowed host, and with a token the bearer must match, before any MCP
 * message is read. Each session gets its own McpServer over the one shared state.
 */
export async function startMcpHttp(
  options: HermitMcpOptions,
  http: McpHttpOptions = {},
  state: McpState = newState(),
): Promise<McpHttpServer> {
  const host = http.host ?? '127.0.0.1'
  const allowed = new Set([...LOCAL, ...(http.allowedHosts ?? []).map((h) => h.toLowerCase()), host.toLowerCase()])
  const token = http.token ? Buffer.from(http.token) : undefined
  const sessions = new Map<string, StreamableHTTPServerTransport>()

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const hostName = req.headers.host ? hostnameOf(req.headers.host, false) : undefined
    if (!hostName || !allowed.has(hostName))
      return refuse(res, 403, 'MCP_HOST_REFUSED', 'Host not allowed (DNS rebinding protection).')
    const origin = req.headers.origin
    if (origin !== undefined) {
      const o = hostnameOf(origin, true)
      if (!o || !allowed.has(o)) return refuse(res, 403, 'MCP_HOST_REFUSED', 'Origin not allowed.')
    }
    if (token) {
      const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '')
      if (given.length !== token.length || !timingSafeEqual(given, token))
        return refuse(res, 401, 'MCP_UNAUTHORIZED', 'A bearer token is required.', {
          'www-authenticate': 'Bearer realm="hermit-mcp"',
        })
    }
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp')
      return refuse(res, 404, 'MCP_BAD_ARGUMENTS', 'Not found: the MCP endpoint is /mcp.')
    const sessionId = req.headers['mcp-session-id']
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined
    if (existing) return existing.handleRequest(req, res)
    if (req.method !== 'POST') return refuse(res, 400, 'MCP_BAD_ARGUMENTS', 'No valid session.')
    const body = await readBody(req).catch(() => undefined)
    if (body === undefined || !isInitializeRequest(body))
      return refuse(res, 400, 'MCP_BAD_ARGUMENTS', 'No valid session: start with an initialize request.')
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => void sessions.set(id, transport),
    })
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId)
    }
    await createHermitMcpServer(options, state).connect(transport)
    await transport.handleRequest(req, res, body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'MCP_INTERNAL', 'Internal error.')
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(http.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const shown = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shown}:${port}/mcp`,
    close: async () => {
      await Promise.all([...sessions.values()].map((t) => t.close()))
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
