import { createServer, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oneUseFetch } from './transport.ts'

let server: Server
let base: string
/** Resolves the open stream's second event (see /stream). */
let release = () => {}
let closedStreams = 0

beforeAll(async () => {
  server = createServer((req, res: ServerResponse) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      res.once('close', () => closedStreams++)
      const next = new Promise<void>((r) => (release = r))
      void next.then(() => res.end('data: 2\n\n'))
      return
    }
    if (req.url === '/forever') {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: 1\n\n')
      res.once('close', () => closedStreams++)
      return
    }
    if (req.url === '/empty') return void res.writeHead(204).end()
    if (req.url === '/gzip') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('unzipped'))
    if (req.url === '/moved') return void res.writeHead(302, { location: '/elsewhere' }).end()
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => res.writeHead(201, { 'x-echo': req.method ?? '' }).end(body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('oneUseFetch: a fetch Response from one node:http request on its own connection', () => {
  it('sends the body and gives back status, headers and body', async () => {
    const res = await oneUseFetch(`${base}/echo`, {
      method: 'POST',
      body: new TextEncoder().encode('bytes'),
      headers: { 'x-a': '1' },
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('x-echo')).toBe('POST')
    expect(await res.text()).toBe('bytes')
  })

  it('streams: an event reaches the reader before the next one exists', async () => {
    const res = await oneUseFetch(`${base}/stream`)
    const reader = res.body!.getReader()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n')
    release()
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 2\n\n')
    expect((await reader.read()).done).toBe(true)
  })

  it('an abort, or a cancelled body, ends the connection: the server sees it close', async () => {
    const before = closedStreams
    const abort = new AbortController()
    const res = await oneUseFetch(`${base}/forever`, { signal: abort.signal })
    const reader = res.body!.getReader()
    await reader.read()
    abort.abort()
    await expect(reader.read()).rejects.toThrow()
    const again = await oneUseFetch(`${base}/forever`)
    await again.body!.cancel()
    await expect.poll(() => closedStreams - before).toBe(2)
  })

  it('204 has no body; a gzip answer is decoded; a redirect is returned, not followed', async () => {
    const empty = await oneUseFetch(`${base}/empty`)
    expect(empty.status).toBe(204)
    expect(empty.body).toBeNull()
    const zipped = await oneUseFetch(`${base}/gzip`)
    expect(zipped.headers.get('content-encoding')).toBeNull()
    expect(await zipped.text()).toBe('unzipped')
    const moved = await oneUseFetch(`${base}/moved`)
    expect(moved.status).toBe(302)
    expect(moved.headers.get('location')).toBe('/elsewhere')
  })

  it('refuses what it cannot send, and rejects when nothing listens', async () => {
    await expect(oneUseFetch('ftp://127.0.0.1/')).rejects.toThrow(/not supported/)
    await expect(oneUseFetch(`${base}/echo`, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(
      /string or bytes/,
    )
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    await expect(oneUseFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' })
  })
})
