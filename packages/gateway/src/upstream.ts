/**
 * The gateway's connection to its model server: node:http (or node:https) over keep-alive
 * connections of the gateway's own. Not fetch: on a streamed chat, undici's fetch took about 2.5 ms
 * more than node:http to the first event on these machines, and that is on every paid call's path.
 * Nothing of a caller's rides on these connections; only the gateway's requests do.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

export type UpstreamRequest = {
  method: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export type Upstream = {
  /** Sends one request to `base` + `path`; resolves with the answer's head, its body still to read. */
  request(path: string, init: UpstreamRequest): Promise<IncomingMessage>
  /** Closes the idle connections. */
  close(): void
}

/** A reset on a reused keep-alive connection: the server closed it while it sat idle, before this request. */
const staleSocket = (e: unknown) => {
  const code = (e as { code?: unknown }).code
  return code === 'ECONNRESET' || code === 'EPIPE'
}

export function createUpstream(base: string): Upstream {
  const root = new URL(base)
  const secure = root.protocol === 'https:'
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true })
  const send = secure ? httpsRequest : httpRequest
  const prefix = root.pathname.replace(/\/+$/, '')

  const once = (
    path: string,
    init: UpstreamRequest,
  ): Promise<{ res: IncomingMessage } | { error: unknown; reused: boolean }> =>
    new Promise((resolve) => {
      // no accept-encoding: the answer comes uncompressed, so each event can be passed on as it arrives
      const headers: OutgoingHttpHeaders = { ...init.headers }
      if (init.body !== undefined) headers['content-length'] = Buffer.byteLength(init.body)
      const req = send(
        {
          protocol: root.protocol,
          hostname: root.hostname.replace(/^\[|\]$/g, ''),
          port: root.port,
          path: `${prefix}${path}`,
          method: init.method,
          headers,
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (res) => resolve({ res }),
      )
      // `on`, not `once`: an abort after the head errors the request again, and that is the reader's to see
      req.on('error', (error) => resolve({ error, reused: req.reusedSocket }))
      req.end(init.body)
    })

  return {
    async request(path, init) {
      let out = await once(path, init)
      // a connection the server dropped while idle: the request never reached it, so it is sent once more on a new one
      if ('error' in out && out.reused && staleSocket(out.error) && !init.signal?.aborted) out = await once(path, init)
      if ('error' in out) throw out.error
      return out.res
    },
    close: () => agent.destroy(),
  }
}

/** The whole body of an answer. */
export async function readAll(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of res) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}
