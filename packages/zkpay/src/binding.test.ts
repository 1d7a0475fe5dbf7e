import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { terminateProver } from '@hermit/circuits'
import { ZkIdentity } from './identity.ts'
import { prepareDeposit, depositToPool } from './pool.ts'
import { TicketStore } from './tickets.ts'
import type { PaidHandler } from './server.ts'
import { devnetDepositor, devnetPool, startPaidServer, zkPayClientFor } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-binding-'))
const handler: PaidHandler = async () => ({ headers: { 'content-type': 'text/plain' }, body: 'ok' })

afterAll(async () => {
  await terminateProver()
})

describe('a ticket file is bound to the deposit of one identity', () => {
  it('another keystore with the ticket file is refused (ZKPAY_TICKETS_WRONG_IDENTITY) before any ticket is reserved; its own pays', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const server = await startPaidServer(net(), pool, { dbPath: join(dir, 'wrong.sqlite'), handler, fromBlock })
    try {
      // a file without a recorded leaf (as older files are): caught against the pool's tree, at pay time
      const owner = await devnetDepositor(net(), pool, 1, 3n, dir)
      const stranger = zkPayClientFor(net(), { identity: ZkIdentity.random(), tickets: owner.tickets }, { fromBlock })
      await expect(stranger.fetch(`${server.url}/a`)).rejects.toMatchObject({ code: 'ZKPAY_TICKETS_WRONG_IDENTITY' })
      expect(owner.tickets.read().next).toBe(0) // nothing reserved, nothing burnt
      expect(await server.store.count()).toBe(0)
      const own = zkPayClientFor(net(), owner, { fromBlock })
      const paid = await own.fetch(`${server.url}/a`)
      expect(paid.status).toBe(200)
      expect(owner.tickets.read().next).toBe(1)
    } finally {
      await server.close()
    }
  }, 120_000)

  it('a file that records its leaf refuses another keystore when the client is made, without the chain', async () => {
    const identity = ZkIdentity.random()
    const { pool } = await devnetPool(net())
    const d = prepareDeposit(identity, 2n)
    const { leafIndex } = await depositToPool(net().publicClient, net().walletFor(net().accounts[2]!), pool, d.leaf, 2n)
    const path = join(dir, 'recorded.json')
    const tickets = TicketStore.create(path, {
      pool: pool.address,
      chainId: pool.chainId,
      leafIndex,
      tickets: 2,
      secretNonce: d.secretNonce,
      leaf: d.leaf.toString(),
    })
    expect(() => zkPayClientFor(net(), { identity: ZkIdentity.random(), tickets })).toThrow(
      expect.objectContaining({ code: 'ZKPAY_TICKETS_WRONG_IDENTITY' }),
    )
    expect(() => zkPayClientFor(net(), { identity, tickets })).not.toThrow()
    // the record is checked, not just present: a tampered leaf is refused for the right identity too
    const state = JSON.parse(readFileSync(path, 'utf8'))
    writeFileSync(path, JSON.stringify({ ...state, leaf: (BigInt(state.leaf) + 1n).toString() }))
    expect(() => zkPayClientFor(net(), { identity, tickets: TicketStore.open(path) })).toThrow(
      expect.objectContaining({ code: 'ZKPAY_TICKETS_WRONG_IDENTITY' }),
    )
    expect(TicketStore.open(path).read().next).toBe(0)
  }, 60_000)
})
