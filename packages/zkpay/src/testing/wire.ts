/**
 * A server that records requests as their bytes arrive on the socket, before any HTTP parser or
 * framework sees them: the headers exactly as the client sent them (order and case kept), and the
 * TCP connection (and TLS session) each request came on.
 */
import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'

export type WireConnection = {
  /** 1, 2, …: the order in which the server accepted the connection. */
  id: number
  remotePort: number
  /** Over TLS: whether the client resumed an earlier TLS session (a ticket or id the server handed out). */
  tlsResumed?: boolean
}

export type WireRequest = {
  connection: number
  method: string
  target: string
  /** Header lines as they arrived: [name, value], in order, case kept. */
  headers: [string, string][]
  body: Buffer
}

export type WireServer = {
  url: string
  connections: WireConnection[]
  requests: WireRequest[]
  close(): Promise<void>
}

/** Cuts HTTP/1.1 requests off the front of `buf`; returns what is left (an incomplete request). */
function parseRequests(buf: Buffer, connection: number, out: WireRequest[]): Buffer {
  for (;;) {
    const end = buf.indexOf('\r\n\r\n')
    if (end < 0) return buf
    const [start, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n')
    const [method = '', target = ''] = start!.split(' ')
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(':')
      return [line.slice(0, colon), line.slice(colon + 1).trim()]
    })
    const value = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1]
    if (value('transfer-encoding') !== undefined)
      throw new Error('recordWire: chunked request bodies are not parsed (fetch sends strings with content-length)')
    const length = Number(value('content-length') ?? 0)
    if (buf.length < end + 4 + length) return buf
    out.push({ connection, method, target, headers, body: Buffer.from(buf.subarray(end + 4, end + 4 + length)) })
    buf = buf.subarray(end + 4 + length)
  }
}

/**
 * An HTTP server (HTTPS with `tls`) on 127.0.0.1 running `listener`, recording every request's raw
 * bytes per connection. The recording taps the socket's data events (after TLS decryption), so it
 * sees what the client wrote, not what node:http made of it.
 */
export async function startWireServer(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  options: { tls?: { key: string; cert: string } } = {},
): Promise<WireServer> {
  const connections: WireConnection[] = []
  const requests: WireRequest[] = []
  const server = options.tls ? createHttpsServer(options.tls, listener) : createHttpServer(listener)
  const tap = (socket: Socket, tls: boolean) => {
    const id = connections.length + 1
    connections.push({
      id,
      remotePort: socket.remotePort!,
      ...(tls ? { tlsResumed: (socket as TLSSocket).isSessionReused() } : {}),
    })
    let pending: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      pending = parseRequests(Buffer.concat([pending, chunk]), id, requests)
    })
  }
  if (options.tls) server.on('secureConnection', (socket: TLSSocket) => tap(socket, true))
  else server.on('connection', (socket: Socket) => tap(socket, false))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    requests,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/**
 * A throwaway self-signed certificate for 127.0.0.1, committed beside this file: a fresh machine
 * need not have the openssl command. Its key protects nothing; it exists only for these tests.
 * Made once with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
 * -days 36500 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1
 */
export function selfSignedCert(): { key: string; cert: string } {
  const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')
  return { key: read('tls-test-key.pem'), cert: read('tls-test-cert.pem') }
}

/** The header value of `name` (case-insensitive) in a recorded request. */
export function wireHeader(request: WireRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name)?.[1]
}
