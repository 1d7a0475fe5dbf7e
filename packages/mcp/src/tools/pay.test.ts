import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { devnetZkPay } from '@hermit/zkpay/testing'
import { callTool, connectInMemory, devnetMcpOptions } from '../testing/index.ts'

const net = useDevnet()

describe('paid_fetch against a zk-rln gate on the devnet', () => {
  it('paid_fetch: one zk-rln ticket pays the call; the result has the tickets left and the anonymity set', async () => {
    const d = net()
    const zk = await devnetZkPay(d, {
      dir: mkdtempSync(join(tmpdir(), 'hermit-mcp-pay-')),
      price: parseEther('0.001'),
      stake: parseEther('0.01'),
      slash: false,
      workers: 1,
    })
    const server: Server = createServer(
      (req, res) =>
        void zk.gate.handle(req, res, async () => ({
          status: 200,
          headers: { 'content-type': 'text/plain' },
          body: 'the paid answer',
        })),
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const me = await zk.deposit(1, 3n)
      await zk.deposit(3, 2n)
      const mcp = await connectInMemory(
        devnetMcpOptions(d, 1, {
          payment: () => ({ identity: me.identity, tickets: me.tickets, fromBlock: zk.fromBlock }),
        }),
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`
      const r = await callTool(mcp, 'paid_fetch', { url, method: 'POST', body: 'question' })
      expect(r.isError, r.text).toBe(false)
      expect(r.structured).toMatchObject({
        status: 200,
        body: 'the paid answer',
        paid: true,
        ticketsLeft: 2,
        anonymitySet: 2,
      })
      expect(r.structured.nullifier).toMatch(/^\d+$|^0x/)
      expect(zk.events.filter((e) => e.kind === 'paid')).toHaveLength(1)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await zk.close()
      await terminateProver()
    }
  }, 60_000)
})
