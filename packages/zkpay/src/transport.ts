/**
 * The paying client's default transport: one request per TCP connection, made with node:http (or
 * node:https) and `agent: false`, answered as a fetch Response.
 *
 * Why not Node's fetch: its connection pool is the process's. A paid call could go out on an idle
 * connection that another part of the program left open to the same origin (with its own cookies or
 * keys), and over HTTPS fetch resumes TLS sessions, so the server can tell two calls came from one
 * client. A connection of its own for each request, and a TLS context with no session cache, leave
 * nothing to link (`wire.test.ts` measures both on the socket). It is also quicker: about 1 ms less
 * to a streamed answer's first event on these machines.
 *
 * What goes out: the request line, `host`, the caller's own headers, `content-length` (0 for a
 * POST without a body), and `connection: close`. No user agent and no accept-encoding, so every client sends
 * the same, whatever its Node release. Redirects are not followed (a payment header must not go to
 * another place than the one that asked for it): a 3xx is returned as it came.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib'
import type { Readable } from 'node:stream'

/** Statuses whose Response has no body (the Response constructor refuses one). */
const NO_BODY = new Set([101, 103, 204, 205, 304])

/**
 * A web ReadableStream over a node stream, ended or errored with it, paused while its reader is
 * behind; cancelling it ends the connection. A connection that closes before the body's end errors it.
 */
function webBody(from: Readable, destroy: () => void): ReadableStream<Uint8Array> {
  let done = false
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const settle = (fn: () => void) => {
        if (done) return
        done = true
        fn()
      }
      from.on('data', (chunk: Buffer) => {
        if (done) return
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length))
        if ((controller.desiredSize ?? 1) <= 0) from.pause()
      })
      from.once('end', () => settle(() => controller.close()))
      from.once('error', (e) => settle(() => controller.error(e)))
      from.once('close', () =>
        settle(() => controller.error(new Error('The connection closed before the body ended.'))),
      )
    },
    pull() {
      from.resume()
    },
    cancel() {
      done = true
      destroy()
    },
  })
}

/** An answer's body, decoded when the server compressed it although it was not asked to. */
function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase()
  const codec =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined
  if (!codec) return res
  res.once('error', (e) => codec.destroy(e))
  return res.pipe(codec)
}

/** `fetch` for one request on a connection of its own. Bodies: a string, bytes, or none. */
export const oneUseFetch = (url: string | URL, init: RequestInit = {}): Promise<Response> =>
  new Promise<Response>((resolve, reject) => {
    const target = new URL(url)
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      return reject(new TypeError(`oneUseFetch: ${target.protocol} URLs are not supported.`))
    const body = init.body ?? null
    if (body !== null && typeof body !== 'string' && !(body instanceof Uint8Array))
      return reject(new TypeError('oneUseFetch: a body must be a string or bytes.'))
    // one order for every client: host, the caller's headers (sorted, lower case, as Headers keeps
    // them), content-length, connection
    const headers: OutgoingHttpHeaders = { host: target.host }
    new Headers(init.headers).forEach((value, name) => {
      if (name !== 'host' && name !== 'content-length' && name !== 'connection') headers[name] = value
    })
    const method = (init.method ?? 'GET').toUpperCase()
    if (body !== null) headers['content-length'] = typeof body === 'string' ? Buffer.byteLength(body) : body.length
    else if (method === 'POST' || method === 'PUT' || method === 'PATCH') headers['content-length'] = 0
    headers.connection = 'close'
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = send(target, {
      method,
      headers,
      // agent: false is a fresh agent for this request alone: no pooled socket, no cached TLS session
      agent: false,
      ...(init.signal ? { signal: init.signal } : {}),
    })
    req.once('response', (res) => {
      try {
        const status = res.statusCode ?? 0
        const out = new Headers()
        for (let i = 0; i < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!)
        const source = decoded(res)
        if (source !== res) out.delete('content-encoding')
        const stream = NO_BODY.has(status) || method === 'HEAD' ? null : webBody(source, () => req.destroy())
        if (!stream) res.resume()
        resolve(new Response(stream, { status, statusText: res.statusMessage ?? '', headers: out }))
      } catch (e) {
        // a status or header the fetch API cannot represent
        req.destroy()
        reject(e)
      }
    })
    req.on('error', reject) // after the head, the error reaches the body stream instead (a settled promise ignores it)
    req.end(body ?? undefined)
  })
