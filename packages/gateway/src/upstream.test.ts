import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { createServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createUpstream, readAll } from './upstream.ts'

const closers: Array<() => void> = []
afterEach(() => {
  for (const c of closers.splice(0)) c()
})

/** A raw server: `answer(n, socket)` gets each request's ordinal (over all connections) and its socket. */
async function rawServer(answer: (n: number, socket: Socket) => void) {
  let n = 0
  const sockets: Socket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    let buffered = ''
    socket.on('data', (d) => {
      buffered += d.toString()
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0)
        if (buffered.length < end + 4 + length) return
        buffered = buffered.slice(end + 4 + length)
        answer(++n, socket)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  closers.push(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets }
}

const ok = (socket: Socket, body: string) =>
  socket.write(
    `HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`,
  )

describe('createUpstream: the gateway to its model server, over keep-alive node:http', () => {
  it('keeps one connection for calls one after another, and streams an answer event by event', async () => {
    const seen: IncomingMessage[] = []
    // the second event is written only once the reader has the first: it cannot have been held back
    let gotFirst = () => {}
    const server = createHttpServer((req, res) => {
      seen.push(req)
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.flushHeaders()
      const first = new Promise<void>((r) => (gotFirst = r))
      res.write('data: 1\n\n')
      void first.then(() => res.end('data: 2\n\n'))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`
    const up = createUpstream(base)
    closers.push(() => {
      up.close()
      server.close()
    })
    for (let k = 0; k < 3; k++) {
      const res = await up.request('/v1/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      expect(res.statusCode).toBe(200)
      const events: string[] = []
      for await (const chunk of res) {
        events.push(String(chunk))
        gotFirst()
      }
      expect(events).toEqual(['data: 1\n\n', 'data: 2\n\n'])
    }
    expect(seen.map((r) => r.url)).toEqual(['/base/v1/chat', '/base/v1/chat', '/base/v1/chat'])
    expect(new Set(seen.map((r) => r.socket)).size).toBe(1)
    // nothing but what the gateway set: no accept-encoding, so answers come uncompressed
    expect(seen[0]!.headers['accept-encoding']).toBeUndefined()
    expect(seen[0]!.headers['content-length']).toBe('2')
  })

  it('a keep-alive connection the server dropped just as a request went out: the request is sent once more, on a new one', async () => {
    // request 1 is answered; request 2 arrives on the same connection, which the server then drops unanswered
    const server = await rawServer((n, socket) => (n === 2 ? socket.destroy() : ok(socket, `answer ${n}`)))
    const up = createUpstream(server.url)
    closers.push(() => up.close())
    expect(String(await readAll(await up.request('/a', { method: 'GET' })))).toBe('answer 1')
    expect(String(await readAll(await up.request('/b', { method: 'GET' })))).toBe('answer 3')
    expect(server.sockets).toHaveLength(2)
  })

  it('a server that drops a fresh connection is not asked twice: the error reaches the gateway', async () => {
    const server = await rawServer((_n, socket) => socket.destroy())
    const up = createUpstream(server.url)
    closers.push(() => up.close())
    await expect(up.request('/a', { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNRESET' })
    expect(server.sockets).toHaveLength(1)
  })

  it('an abort ends the call: the model server sees its request closed', async () => {
    let closed: Promise<void> | undefined
    const server = createHttpServer((req, res) => {
      closed = new Promise((r) => res.once('close', () => r()))
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n') // and never ends
      void req
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const up = createUpstream(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
    closers.push(() => {
      up.close()
      server.closeAllConnections()
      server.close()
    })
    const abort = new AbortController()
    const res = await up.request('/v1/chat', { method: 'POST', body: '{}', signal: abort.signal })
    const reading = (async () => {
      for await (const _ of res) abort.abort()
    })()
    await expect(reading).rejects.toThrow()
    await closed
  })
})
