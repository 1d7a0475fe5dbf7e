/**
 * The slash cannot be dodged: a cheater who double-spends gets a tree-changing transaction of their
 * own mined ahead of the gate's slash (automine off, a higher tip, one block), and the slash still
 * lands; what the double-spend revealed is kept sealed in the store until it does, across a restart.
 */
import { readFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseGwei, type Hash } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { creditPoolAbi } from '@hermit/contracts'
import { proveCredit, terminateProver, toSolidityCalldata } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { ZkIdentity } from './identity.ts'
import { prepareDeposit, proveExitRequest, type PoolInfo } from './pool.ts'
import { HEADER_SIGNATURE, encodeHeader, requestBinding } from './protocol.ts'
import type { PaidHandler, ZkPayGate } from './server.ts'
import { SqliteNullifierStore } from './store.ts'
import { syncTree } from './sync.ts'
import { devnetGate, devnetZkPay, type Depositor } from './testing/index.ts'

const net = useDevnet()
const handler: PaidHandler = async () => ({ body: 'ok' })
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closers) await close()
  await terminateProver()
})

/** A payment of `cheater`'s ticket 0 for POST `path` (a second one for another path is a double-spend). */
async function ticketZero(gate: ZkPayGate, pool: PoolInfo, fromBlock: bigint, cheater: Depositor, path: string) {
  const { tree } = await syncTree(net().publicClient, pool.address, { fromBlock })
  const x = requestBinding('POST', path, '')
  const proved = await proveCredit({ sk: cheater.secret, n: 3n, i: 0n, tree, scope: pool.scope, x })
  const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
  const header = encodeHeader({
    x402Version: 2,
    accepted: (await gate.requirements(path)).accepts[0],
    payload: { proof: { a: cd.a, b: cd.b, c: cd.c }, publicSignals: cd.pub },
  })
  return {
    y: BigInt(cd.pub[0]!),
    nullifier: BigInt(cd.pub[1]!),
    send: () =>
      gate.process({ method: 'POST', url: path, headers: { [HEADER_SIGNATURE]: header } }, Buffer.alloc(0), handler),
  }
}

const depositStatus = async (pool: PoolInfo, index: number) =>
  (
    await net().publicClient.readContract({
      address: pool.address,
      abi: creditPoolAbi,
      functionName: 'deposits',
      args: [BigInt(index)],
    })
  )[2]

const tip = { maxPriorityFeePerGas: parseGwei('50'), maxFeePerGas: parseGwei('100'), gas: 3_000_000n }

describe('the slash cannot be dodged', () => {
  for (const frontRun of ['a deposit', "the cheater's exit request"] as const) {
    it(`lands after ${frontRun} mined ahead of it in the same block (automine off, a higher tip)`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-slash-'))
      const zk = await devnetZkPay(net(), { dir })
      closers.push(zk.close)
      const cheater = await zk.deposit(3, 3n)
      const first = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/a')
      expect((await first.send()).status).toBe(200)
      const second = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/b')
      // the cheater's transaction, ready before the race (the exit proof takes a while)
      const cheaterWallet = net().walletFor(net().accounts[3]!)
      const other = prepareDeposit(ZkIdentity.random(), 2n)
      const exit =
        frontRun === 'a deposit'
          ? null
          : await proveExitRequest(net().publicClient, zk.pool.address, {
              secret: cheater.secret,
              tickets: 3n,
              leafIndex: cheater.leafIndex,
              recipient: net().accounts[3]!.address,
            })
      await net().testClient.setAutomine(false)
      let frontTx: Hash
      let cheat: ReturnType<typeof second.send>
      try {
        cheat = second.send()
        const sent = await zk.nextEvent((e) => e.kind === 'slash-sent')
        // seen in the mempool, the slash is front-run with a higher tip
        frontTx = exit
          ? await cheaterWallet.writeContract({
              address: zk.pool.address,
              abi: creditPoolAbi,
              functionName: 'requestExit',
              args: exit.args,
              ...tip,
            })
          : await net()
              .walletFor(net().accounts[4]!)
              .writeContract({
                address: zk.pool.address,
                abi: creditPoolAbi,
                functionName: 'deposit',
                args: [other.leaf, 2n],
                value: 2n * zk.pool.price + zk.pool.stake,
                ...tip,
              })
        await net().testClient.mine({ blocks: 1 })
        const front = await net().publicClient.getTransactionReceipt({ hash: frontTx })
        const slashed = await net().publicClient.getTransactionReceipt({ hash: (sent as { tx: Hash }).tx })
        expect(front.status).toBe('success')
        expect(front.blockNumber).toBe(slashed.blockNumber)
        expect(front.transactionIndex).toBeLessThan(slashed.transactionIndex)
      } finally {
        await net().testClient.setAutomine(true)
      }
      await net().testClient.mine({ blocks: 1 }) // a retry sent while automine was off
      const res = await cheat
      expect(res.status).toBe(402)
      expect(JSON.parse(new TextDecoder().decode(res.body))).toMatchObject({
        error: { code: 'ZKPAY_DOUBLE_SPEND', message: expect.stringMatching(/slashed/) },
      })
      expect(await depositStatus(zk.pool, cheater.leafIndex)).toBe(4) // Slashed, not Exiting: the stake is the provider's
      const record = await zk.store.slashRecord(zk.pool.scope, second.nullifier)
      expect(record).toMatchObject({ state: 'slashed', secret: cheater.secret })
      expect(record!.shares.map((s) => s.y)).toEqual([first.y, second.y])
    }, 240_000)
  }

  it('a slash transaction dropped from the mempool is sent again after a fresh sync, and lands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-dropped-'))
    // a short receipt wait, so the dropped attempt gives up soon and the next one is sent
    const zk = await devnetZkPay(net(), { dir, gate: { slashReceiptTimeoutMs: 1_500 } })
    closers.push(zk.close)
    const cheater = await zk.deposit(3, 3n)
    const first = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/a')
    expect((await first.send()).status).toBe(200)
    const second = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/b')
    await net().testClient.setAutomine(false)
    let cheat: ReturnType<typeof second.send>
    try {
      cheat = second.send()
      const sent = (await zk.nextEvent((e) => e.kind === 'slash-sent')) as { tx: Hash; attempt: number }
      expect(sent.attempt).toBe(1)
      await net().testClient.dropTransaction({ hash: sent.tx })
    } finally {
      await net().testClient.setAutomine(true)
    }
    const res = await cheat
    expect(JSON.parse(new TextDecoder().decode(res.body))).toMatchObject({ error: { code: 'ZKPAY_DOUBLE_SPEND' } })
    expect(zk.events.filter((e) => e.kind === 'slash-failed').map((e) => (e as { attempt: number }).attempt)).toEqual([
      1,
    ])
    expect(zk.events.find((e) => e.kind === 'slash-sent' && e.attempt === 2)).toBeDefined()
    expect(await depositStatus(zk.pool, cheater.leafIndex)).toBe(4)
    expect(await zk.store.slashRecord(zk.pool.scope, second.nullifier)).toMatchObject({ state: 'slashed', attempts: 1 })
  }, 240_000)

  it('both shares and the recovered secret are sealed at rest, survive a restart, and the slash is retried from them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-zkpay-sealed-'))
    // no slasher at first: the double-spend is recorded, the slash stays pending
    const zk = await devnetZkPay(net(), { dir, slash: false })
    const cheater = await zk.deposit(3, 3n)
    const first = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/a')
    expect((await first.send()).status).toBe(200)
    const second = await ticketZero(zk.gate, zk.pool, zk.fromBlock, cheater, '/b')
    expect((await second.send()).status).toBe(402)
    await zk.close()
    // on disk (database and its write-ahead log): neither the secret nor the second share
    const dbPath = join(dir, 'nullifiers.sqlite')
    const disk = [dbPath, `${dbPath}-wal`]
      .filter(existsSync)
      .map((p) => readFileSync(p).toString('latin1'))
      .join('')
    expect(disk).toContain(first.y.toString()) // one share alone is the ordinary record of a call
    for (const secret of [cheater.secret.toString(), cheater.secret.toString(16), second.y.toString()])
      expect(disk).not.toContain(secret)
    // the wrong password opens nothing
    const wrong = SqliteNullifierStore.open(dbPath, { secretsPassword: 'not the password at all', scryptN: 1024 })
    await expect(wrong.slashRecord(zk.pool.scope, second.nullifier)).rejects.toMatchObject({
      code: 'ZKPAY_SLASH_RECORD_SEALED',
    })
    expect(await wrong.pendingSlashes()).toEqual([])
    await wrong.close()
    // restarted with a slasher: the pending slash is retried from the sealed record and lands
    const restarted = devnetGate(net(), zk.pool, {
      dbPath,
      fromBlock: zk.fromBlock,
      slasherIndex: 5, // the same store password as before (devnetGate's test one)
    })
    closers.push(restarted.close)
    await restarted.gate.retryPendingSlashes()
    expect(await depositStatus(zk.pool, cheater.leafIndex)).toBe(4)
    expect(await restarted.store.slashRecord(zk.pool.scope, second.nullifier)).toMatchObject({
      state: 'slashed',
      secret: cheater.secret,
      shares: [
        { x: requestBinding('POST', '/a', ''), y: first.y },
        { x: requestBinding('POST', '/b', ''), y: second.y },
      ],
    })
  }, 240_000)
})
