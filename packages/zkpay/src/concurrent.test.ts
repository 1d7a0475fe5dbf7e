import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import { devnetClient, devnetPool, startPaidServer, type PaidServer } from './testing/index.ts'

const net = useDevnet()
let server: PaidServer | undefined
afterAll(async () => {
  await server?.close()
  await terminateProver()
})

describe('one client, 64 concurrent paid calls', () => {
  it('gets 64 distinct tickets and nullifiers, all served', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-64-'))
    const { pool, fromBlock } = await devnetPool(net())
    server = await startPaidServer(net(), pool, {
      dbPath: join(dir, 'n.sqlite'),
      fromBlock,
      handler: async (req) => ({ body: `ok ${req.url}` }),
    })
    const { client } = await devnetClient(net(), pool, 1, 100n, dir, { fromBlock })
    const responses = await Promise.all(Array.from({ length: 64 }, (_, k) => client.fetch(`${server!.url}/call/${k}`)))
    expect(responses.map((r) => r.status)).toEqual(Array(64).fill(200))
    expect(new Set(responses.map((r) => r.ticket)).size).toBe(64)
    expect(new Set(responses.map((r) => r.payment!.nullifier)).size).toBe(64)
    expect(Math.max(...responses.map((r) => r.ticket!))).toBe(63)
    expect(await server.store.count()).toBe(64)
    expect(client.remainingTickets()).toBe(36)
  }, 400_000)
})
