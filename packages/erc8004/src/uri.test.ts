// fetchUri follows redirects one hop at a time, and every hop must pass the rules the first URL passed.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AgentUriError } from './errors.ts'
import { fetchUri } from './uri.ts'

let server: Server
let base: string
const asked: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '')
    const go = (status: number, location: string) => res.writeHead(status, { location }).end()
    if (req.url === '/file') return void res.end('{"ok":true}')
    if (req.url === '/to-file') return go(302, '/file')
    if (req.url === '/to-plain-http') return go(301, 'http://agents.example/file')
    if (req.url === '/loop') return go(307, '/loop')
    res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as AgentUriError,
  )

describe('fetchUri redirects', () => {
  it('follows a redirect that stays within the rules (loopback to loopback)', async () => {
    expect(Buffer.from(await fetchUri(`${base}/to-file`)).toString()).toBe('{"ok":true}')
  })

  it('refuses a redirect to plain http:// off loopback, without asking it', async () => {
    const error = await refusal(fetchUri(`${base}/to-plain-http`))
    expect(error).toBeInstanceOf(AgentUriError)
    expect(error?.code).toBe('ERC8004_URI_SCHEME')
  })

  it('refuses a remote https:// URI that redirects into this machine’s loopback, which is never asked', async () => {
    const before = asked.length
    // stands in for a remote host: the only way to be one in a test without a network
    const remote: typeof fetch = async (input, init) => {
      const url = new URL(String(input))
      if (url.hostname === 'agents.example')
        return new Response(null, { status: 302, headers: { location: `${base}/file` } })
      return fetch(input, init)
    }
    const error = await refusal(fetchUri('https://agents.example/agent.json', { fetch: remote }))
    expect(error?.code).toBe('ERC8004_URI_SCHEME')
    expect(asked.length).toBe(before)
  })

  it('gives up after five redirects', async () => {
    const error = await refusal(fetchUri(`${base}/loop`))
    expect(error?.code).toBe('ERC8004_URI_FETCH_FAILED')
    expect(error?.shortMessage).toMatch(/redirected more than 5 times/)
  })
})
