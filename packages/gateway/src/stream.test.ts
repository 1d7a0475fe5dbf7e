import { createServer, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headWithFirstEvent } from './stream.ts'

// a server whose stream's first event comes when the test says: the head's timing is read on the raw socket
let server: Server
let port: number
let pending: ServerResponse | undefined
beforeAll(async () => {
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    headWithFirstEvent(res, req.url === '/slow' ? 20 : 60_000)
    pending = res
    if (req.url === '/now') res.end('data: 1\n\n')
    if (req.url === '/flushed') {
      // what the timer does when it fires after the first event: nothing on the wire
      res.write('data: 1\n\n')
      res.flushHeaders()
      res.end('data: 2\n\n')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as AddressInfo).port
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

/** GET `path` on a raw socket; resolves with each chunk as it comes, through `onChunk`. */
function get(path: string, onChunk: (text: string) => void) {
  const socket = connect(port, '127.0.0.1')
  socket.setEncoding('utf8')
  socket.on('data', onChunk)
  socket.write(`GET ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`)
  return socket
}

describe('headWithFirstEvent', () => {
  it('sends the head with the first event, in one write', async () => {
    const chunks: string[] = []
    const socket = get('/now', (c) => chunks.push(c))
    await new Promise((r) => socket.once('close', r))
    // headers, then the chunked body's first piece, in the very first chunk read
    expect(chunks[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n[0-9a-f]+\r\ndata: 1\n\n/)
  })

  it('a flush after the first event writes nothing: the chunked body stays whole', async () => {
    let text = ''
    const socket = get('/flushed', (c) => (text += c))
    await new Promise((r) => socket.once('close', r))
    const body = text.slice(text.indexOf('\r\n\r\n') + 4)
    expect(body).toBe('9\r\ndata: 1\n\n\r\n9\r\ndata: 2\n\n\r\n0\r\n\r\n')
  })

  it('sends the head alone when no event came in time, and the event after it', async () => {
    const chunks: string[] = []
    const head = new Promise<void>((resolve) => {
      const socket = get('/slow', (c) => {
        chunks.push(c)
        resolve()
      })
      socket.once('error', () => {})
    })
    await head
    expect(chunks).toHaveLength(1)
    expect(chunks[0]).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/)
    pending!.end('data: 1\n\n')
    await expect.poll(() => chunks.join('')).toMatch(/data: 1\n\n/)
  })
})
