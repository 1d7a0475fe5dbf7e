import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { BaseError, createPublicClient } from 'viem'
import { devTokenAbi, devTokenBytecode } from '@hermit/contracts'
import { liveAnvilPids } from './anvil.ts'
import { startDevnet } from './devnet.ts'
import { DevnetError } from './errors.ts'
import { devnetTransport, onlyReads } from './transport.ts'

// A JSON-RPC server that resets the connection of the first `resets` requests (RST, no answer),
// then answers: the reset anvil once gave, on demand.
let server: Server
let url: string
let seen: string[] = []
let resets = 0
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string }
      seen.push(method)
      if (resets > 0) {
        resets--
        req.socket.resetAndDestroy()
        return
      }
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({ jsonrpc: '2.0', id, result: method === 'eth_blockNumber' ? '0x2a' : `0x${'ab'.repeat(32)}` }),
      )
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))
beforeEach(() => {
  seen = []
  resets = 0
})

describe('devnetTransport', () => {
  it('sends a read once more when its connection was reset, and gets the answer', async () => {
    resets = 1
    const client = createPublicClient({ transport: devnetTransport(url), cacheTime: 0 })
    expect(await client.getBlockNumber()).toBe(42n)
    expect(seen).toEqual(['eth_blockNumber', 'eth_blockNumber'])
  })

  it('sends a read twice at most', async () => {
    resets = 2
    const client = createPublicClient({ transport: devnetTransport(url), cacheTime: 0 })
    await expect(client.getBlockNumber()).rejects.toThrow()
    expect(seen).toEqual(['eth_blockNumber', 'eth_blockNumber'])
  })

  it('never sends a transaction again', async () => {
    resets = 1
    const client = createPublicClient({ transport: devnetTransport(url), cacheTime: 0 })
    await expect(client.request({ method: 'eth_sendRawTransaction', params: ['0x02'] })).rejects.toThrow()
    expect(seen).toEqual(['eth_sendRawTransaction'])
  })

  it('counts only reads, one call or a batch, as safe to send again', () => {
    const call = (method: string) => ({ jsonrpc: '2.0', id: 1, method, params: [] })
    expect(onlyReads(JSON.stringify(call('eth_getTransactionReceipt')))).toBe(true)
    expect(onlyReads(JSON.stringify([call('eth_call'), call('eth_chainId')]))).toBe(true)
    for (const m of [
      'eth_sendRawTransaction',
      'eth_sendTransaction',
      'evm_revert',
      'evm_snapshot',
      'anvil_mine',
      'eth_sign',
    ])
      expect(onlyReads(JSON.stringify(call(m))), m).toBe(false)
    expect(onlyReads(JSON.stringify([call('eth_call'), call('evm_revert')]))).toBe(false)
    expect(onlyReads(JSON.stringify([]))).toBe(false)
    expect(onlyReads('not json')).toBe(false)
    expect(onlyReads(undefined)).toBe(false)
  })
})

describe("a devnet whose anvil is gone says so (DEVNET_ANVIL_EXITED), not 'fetch failed'", () => {
  const gone = (error: unknown) =>
    error instanceof BaseError ? error.walk((e) => e instanceof DevnetError) : undefined

  it('an anvil killed under the program: how it ended, as a DevnetError in the cause', async () => {
    const devnet = await startDevnet({ deploy: false })
    process.kill(devnet.pid, 'SIGKILL')
    await devnet.exited
    const error = await devnet.publicClient.getBlockNumber().catch((e: unknown) => e)
    const cause = gone(error) as DevnetError | undefined
    expect(cause?.code).toBe('DEVNET_ANVIL_EXITED')
    expect(cause?.shortMessage).toMatch(/exited on its own \(SIGKILL\)/)
    expect(cause?.details).toMatchObject({ signal: 'SIGKILL' })
    expect(devnet.exit).toMatchObject({ signal: 'SIGKILL', stopped: false })
    await devnet.stop()
  })

  it('an anvil that dies while the devnet is set up ends the start at once, with how it ended', async () => {
    // a deploy step whose arguments kill the anvil being set up (the newest one this process started)
    const killer = {
      name: 'DevToken',
      abi: devTokenAbi,
      bytecode: devTokenBytecode,
      args: () => {
        process.kill(liveAnvilPids().at(-1)!, 'SIGKILL')
        return ['Dev USD', 'dUSD', 6, 10n ** 12n] as const
      },
    }
    const t0 = Date.now()
    const error = await startDevnet({ plan: [killer] }).catch((e: unknown) => e)
    const cause = error instanceof DevnetError && error.code === 'DEVNET_ANVIL_EXITED' ? error : gone(error)
    expect((cause as DevnetError | undefined)?.code).toBe('DEVNET_ANVIL_EXITED')
    expect((cause as DevnetError).shortMessage).toMatch(/exited on its own \(SIGKILL\)/)
    expect(Date.now() - t0).toBeLessThan(20_000)
  })

  it('a devnet used after stop(): "was stopped"', async () => {
    const devnet = await startDevnet({ deploy: false })
    await devnet.stop()
    const cause = gone(await devnet.publicClient.getChainId().catch((e: unknown) => e)) as DevnetError | undefined
    expect(cause?.code).toBe('DEVNET_ANVIL_EXITED')
    expect(cause?.shortMessage).toMatch(/was stopped/)
  })
})
