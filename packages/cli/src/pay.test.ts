import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { toHex, type Address } from 'viem'
import { HDKey } from 'viem/accounts'
import { mnemonicToSeedSync } from '@scure/bip39'
import { ANVIL_MNEMONIC, writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { ProofVerifierPool, SqliteNullifierStore, createZkPayGate, readPool } from '@hermit/zkpay'
import { loadVerificationKey } from '@hermit/circuits'
import { ExitCode } from './exit.ts'
import { runHermit } from './testing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-pay-cli-'))
const net = useDevnet()
const root = HDKey.fromMasterSeed(mnemonicToSeedSync(ANVIL_MNEMONIC))
const devKey = (i: number) => toHex(root.derive(`m/44'/60'/0'/0/${i}`).privateKey!)
const PASSWORD = 'correct horse battery staple'
let server: Server | undefined
let closeGate: (() => Promise<void>) | undefined
afterAll(async () => {
  server?.closeAllConnections()
  server?.close()
  await closeGate?.()
})

const hermit = (args: string[], env: Record<string, string> = {}) =>
  runHermit(args, { env: { HERMIT_KEYSTORE_PASSWORD: '', HERMIT_PRIVATE_KEY: '', ...env } })

describe('hermit pay', () => {
  it('init → open-pool → deposit → fetch, with secrets only from the environment', async () => {
    const d = net()
    const deployments = join(dir, 'deployments.json')
    writeDeployments(deployments, d.deployments)
    const keystore = join(dir, 'id.json')
    const ticketsFile = join(dir, 'tickets.json')

    expect((await hermit(['pay', 'init', '-k', keystore])).code).toBe(ExitCode.usage) // no password in the environment
    const init = await hermit(['pay', 'init', '-k', keystore, '--json'], { HERMIT_KEYSTORE_PASSWORD: PASSWORD })
    expect(init.code, init.stderr).toBe(0)
    expect(JSON.parse(init.stdout).commitment).toMatch(/^\d+$/)
    expect((await hermit(['pay', 'init', '-k', keystore], { HERMIT_KEYSTORE_PASSWORD: PASSWORD })).code).toBe(
      ExitCode.dataError,
    ) // never overwritten

    const opened = await hermit(
      [
        'pay',
        'open-pool',
        '--rpc',
        d.rpcUrl,
        '--price',
        '0.001 ETH',
        '--stake',
        '100000000000000000 wei',
        '-f',
        deployments,
        '--json',
      ],
      { HERMIT_PRIVATE_KEY: devKey(5) },
    )
    expect(opened.code, opened.stderr).toBe(0)
    const poolAddress = JSON.parse(opened.stdout).pool as Address
    const pool = await readPool(d.publicClient, poolAddress)
    expect(pool.provider).toBe(d.accounts[5]!.address)
    // one unit rule: whole units with the symbol and base units spelled as such are the same amounts
    expect([pool.price, pool.stake]).toEqual([10n ** 15n, 10n ** 17n])
    expect(JSON.parse(opened.stdout).unit).toEqual({ symbol: 'ETH', decimals: 18 })

    // the provider's paid endpoint
    const store = SqliteNullifierStore.open(join(dir, 'n.sqlite'))
    const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1 })
    const gate = createZkPayGate({ publicClient: d.publicClient, pool, store, verifier })
    closeGate = async () => {
      await verifier.close()
      await store.close()
    }
    server = createServer(
      (req, res) =>
        void gate.handle(req, res, async (r, { body }) => ({ body: `hello from ${r.url}: ${body.toString()}` })),
    )
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const deposit = await hermit(
      [
        'pay',
        'deposit',
        '--rpc',
        d.rpcUrl,
        '--pool',
        poolAddress,
        '-n',
        '3',
        '-k',
        keystore,
        '-t',
        ticketsFile,
        '--json',
      ],
      { HERMIT_KEYSTORE_PASSWORD: PASSWORD, HERMIT_PRIVATE_KEY: devKey(1) },
    )
    expect(deposit.code, deposit.stderr).toBe(0)
    expect(JSON.parse(deposit.stdout)).toMatchObject({ leafIndex: 0, tickets: 3 })

    const paid = await hermit(
      [
        'pay',
        'fetch',
        `${url}/v1/hello`,
        '--rpc',
        d.rpcUrl,
        '-k',
        keystore,
        '-t',
        ticketsFile,
        '-X',
        'POST',
        '-d',
        'hi',
        '--json',
      ],
      { HERMIT_KEYSTORE_PASSWORD: PASSWORD },
    )
    expect(paid.code, paid.stderr).toBe(0)
    const body = JSON.parse(paid.stdout)
    expect(body).toMatchObject({
      status: 200,
      ticket: 0,
      remainingTickets: 2,
      body: 'hello from /v1/hello: hi',
      payment: { status: 'new', success: true },
    })
    // no secret ever reaches the output
    for (const s of [init.stdout, deposit.stdout, paid.stdout, paid.stderr]) expect(s).not.toContain(devKey(1).slice(2))

    const wrong = await hermit(
      ['pay', 'fetch', `${url}/v1/hello`, '--rpc', d.rpcUrl, '-k', keystore, '-t', ticketsFile],
      { HERMIT_KEYSTORE_PASSWORD: 'not the password' },
    )
    expect(wrong.code).toBe(ExitCode.dataError)
    expect(wrong.stderr).toMatch(/Wrong password/)
    const bad = await hermit([
      'pay',
      'deposit',
      '--rpc',
      d.rpcUrl,
      '--pool',
      'nope',
      '-n',
      '3',
      '-k',
      keystore,
      '-t',
      join(dir, 'x.json'),
    ])
    expect(bad.code).toBe(ExitCode.usage)
    expect(bad.stderr).toMatch(/--pool: not an address/)
  }, 180_000)
})
