/**
 * Secrets stay out of the output: every command that reads HERMIT_PRIVATE_KEY or
 * HERMIT_KEYSTORE_PASSWORD (or opens a keystore, starts anvil, or takes an RPC URL that may carry
 * an API key) runs through the real binary against a real devnet, on its success path and its
 * error paths, in human and --json output; no stdout or stderr it writes may hold a secret in any
 * form we can think of. Every run has both secrets in its environment, whether it reads them or not.
 */
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createTcpServer, type AddressInfo } from 'node:net'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { keccak256, parseEther, parseUnits, stringToBytes, toHex, type Address, type Hex } from 'viem'
import { HDKey, privateKeyToAddress } from 'viem/accounts'
import { mnemonicToSeedSync } from '@scure/bip39'
import { ANVIL_MNEMONIC, writeDeployments, type Devnet } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { loadVerificationKey } from '@hermit/circuits'
import {
  ProofVerifierPool,
  SqliteNullifierStore,
  TicketStore,
  ZkIdentity,
  createZkPayGate,
  deployCreditPool,
  depositToPool,
  loadKeystore,
  prepareDeposit,
  readPool,
  saveKeystore,
  zkInfraFromDeployments,
} from '@hermit/zkpay'
import {
  acceptJob,
  approvePaymentToken,
  chainTime,
  createJob,
  encodeJobRequest,
  fundJob,
  setBudget,
} from '@hermit/agents'
import { advanceChainPast, devnetParty, registerListedProvider } from '@hermit/agents/testing'
import { ExitCode } from './exit.ts'
import { runHermit, startHermit, type HermitRun } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-secrets-'))

// distinctive secrets: none is an anvil key, and each is unlikely to appear in any output by chance
const KEY = keccak256(stringToBytes('hermit secrets.test.ts: the payer key'))
const UNFUNDED_KEY = keccak256(stringToBytes('hermit secrets.test.ts: a key with no ether'))
/** 66 hex characters, but at or above the secp256k1 order: not a private key, still the user's secret. */
const OUT_OF_RANGE_KEY =
  `0x${'f'.repeat(32)}${keccak256(stringToBytes('hermit secrets.test.ts: out of range')).slice(2, 34)}` as Hex
const PASSWORD = 'Hermit-Secrets-Test-Password-7f3a'
const WRONG_PASSWORD = 'Hermit-Secrets-Wrong-Password-2c8e'
const WEAK_PASSWORD = 'q7Zx!9w' // 7 characters: too short for a keystore
/** An RPC provider's API key, as it sits in an RPC URL's query (anvil serves only `/`, so not in the path). */
const RPC_API_KEY = 'rpc-api-key-5d1c9e7b40'
const withApiKey = (rpcUrl: string) => `${rpcUrl}/?apikey=${RPC_API_KEY}`
const FIRST_ANVIL_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

const anvilRoot = HDKey.fromMasterSeed(mnemonicToSeedSync(ANVIL_MNEMONIC))
const anvilKey = (i: number) => toHex(anvilRoot.derive(`m/44'/60'/0'/0/${i}`).privateKey!)

/** The ways a 256-bit secret could be printed: hex (any case, with or without 0x or leading zeros), decimal, base64. */
const numberForms = (v: bigint) => [
  v.toString(16),
  v.toString(10),
  Buffer.from(v.toString(16).padStart(64, '0'), 'hex').toString('base64'),
]
const textForms = (s: string) => [s, Buffer.from(s).toString('hex'), Buffer.from(s).toString('base64')]

type Secret = { name: string; forms: string[] }
const secrets: Secret[] = [
  { name: 'HERMIT_PRIVATE_KEY', forms: numberForms(BigInt(KEY)) },
  { name: 'the unfunded HERMIT_PRIVATE_KEY', forms: numberForms(BigInt(UNFUNDED_KEY)) },
  { name: 'the out-of-range HERMIT_PRIVATE_KEY', forms: numberForms(BigInt(OUT_OF_RANGE_KEY)) },
  { name: 'HERMIT_KEYSTORE_PASSWORD', forms: textForms(PASSWORD) },
  { name: 'the wrong HERMIT_KEYSTORE_PASSWORD', forms: textForms(WRONG_PASSWORD) },
  { name: 'the too-short HERMIT_KEYSTORE_PASSWORD', forms: textForms(WEAK_PASSWORD) },
  { name: 'the API key in an RPC URL', forms: textForms(RPC_API_KEY) },
  { name: "anvil's dev mnemonic", forms: [ANVIL_MNEMONIC] },
  { name: "anvil's first dev key", forms: numberForms(BigInt(FIRST_ANVIL_KEY)) },
  ...Array.from({ length: 10 }, (_, i) => ({ name: `anvil's dev key ${i}`, forms: numberForms(BigInt(anvilKey(i))) })),
]
const runs: { label: string; run: HermitRun }[] = []
const cleanups: (() => Promise<void> | void)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c()
})

/** Which of `among` (by name and form) a run printed, on which stream. */
function leaks(run: HermitRun, among: Secret[] = secrets): string[] {
  const found: string[] = []
  for (const stream of ['stdout', 'stderr'] as const) {
    const text = run[stream].toLowerCase()
    for (const s of among)
      for (const form of s.forms) if (text.includes(form.toLowerCase())) found.push(`${stream}: ${s.name} (${form})`)
  }
  return found
}

function expectNoLeak(label: string, run: HermitRun, among: Secret[] = secrets): void {
  expect(leaks(run, among), `${label} printed a secret\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`).toEqual(
    [],
  )
}

/** A secret known only once it exists (a keystore's identity, a deposit's secret): every run so far is checked for it. */
function learnSecret(name: string, value: bigint): void {
  const secret = { name, forms: numberForms(value) }
  secrets.push(secret)
  for (const { label, run } of runs) expectNoLeak(label, run, [secret])
}

/** Every run has both secrets in its environment, whether it reads them or not. */
async function hermit(label: string, args: string[], env: Record<string, string> = {}): Promise<HermitRun> {
  const run = await runHermit(args, { env: { HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD, ...env } })
  runs.push({ label, run })
  expectNoLeak(label, run)
  return run
}

/** The `error.code` of a --json failure (stdout is one JSON document). */
const errorCode = (run: HermitRun): string => JSON.parse(run.stdout).error.code

/** The URL of a 127.0.0.1 port that nothing listens on: an RPC that fails. */
async function deadRpc(): Promise<string> {
  const s = createTcpServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}

/** An RPC that answers eth_chainId (so commands get going) and fails every other call with HTTP 500. */
async function failingRpc(): Promise<string> {
  const server = createHttpServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const call = JSON.parse(body) as { id: number; method: string }
      if (call.method !== 'eth_chainId') return void res.writeHead(500).end('upstream down')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ jsonrpc: '2.0', id: call.id, result: '0x7a69' }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  cleanups.push(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function deploymentsFile(d: Devnet): string {
  const file = join(mkdtempSync(join(dir, 'd-')), 'deployments.json')
  writeDeployments(file, d.deployments)
  return file
}

async function fundKey(d: Devnet): Promise<Address> {
  const address = privateKeyToAddress(KEY)
  await d.testClient.setBalance({ address, value: parseEther('1000') })
  return address
}

/** A keystore made in-process (cheap scrypt), for the commands that only read one. */
function keystore(name: string): { path: string; identity: ZkIdentity } {
  const path = join(dir, `${name}-${Date.now()}.json`)
  const identity = ZkIdentity.random()
  saveKeystore(path, identity, PASSWORD, { N: 2 ** 10 })
  learnSecret(`the ZK identity secret of keystore ${name}`, identity.revealSecret())
  return { path, identity }
}

async function openPool(d: Devnet, token?: Address): Promise<Address> {
  return deployCreditPool(d.publicClient, d.walletClient, zkInfraFromDeployments(d.deployments), {
    provider: d.accounts[5]!.address,
    price: parseEther('0.001'),
    stake: parseEther('0.1'),
    ...(token ? { token } : {}),
  })
}

describe('secrets stay out of the output of every command that reads one (stdout and stderr, human and --json)', () => {
  it("the known first anvil dev key is derived from anvil's mnemonic (so the checks look for the right keys)", () => {
    expect(anvilKey(0)).toBe(FIRST_ANVIL_KEY)
    expect(net().accounts[0]!.address).toBe(privateKeyToAddress(FIRST_ANVIL_KEY))
  })

  it('pay init prints neither the password nor the identity secret: created, keystore exists, no password, too short, bad arguments', async () => {
    const created = join(dir, 'init-human.json')
    const human = await hermit('pay init', ['pay', 'init', '-k', created])
    expect(human.code, human.stderr).toBe(ExitCode.ok)
    expect(human.stdout).toMatch(/^ZK identity written to .* \(commitment \d+…\)$/m)
    learnSecret('the ZK identity secret made by pay init', loadKeystore(created, PASSWORD).revealSecret())

    const createdJson = join(dir, 'init-json.json')
    const json = await hermit('pay init --json', ['pay', 'init', '-k', createdJson, '--json'])
    expect(json.code, json.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(json.stdout)).toEqual({ keystore: createdJson, commitment: expect.stringMatching(/^\d+$/) })
    learnSecret('the ZK identity secret made by pay init --json', loadKeystore(createdJson, PASSWORD).revealSecret())

    const exists = await hermit('pay init over a keystore', ['pay', 'init', '-k', created, '--json'])
    expect(exists.code).toBe(ExitCode.dataError)
    expect(errorCode(exists)).toBe('ZKPAY_KEYSTORE_EXISTS')

    const none = join(dir, 'init-none.json')
    const missing = await hermit('pay init without a password', ['pay', 'init', '-k', none], {
      HERMIT_KEYSTORE_PASSWORD: '',
    })
    expect(missing.code).toBe(ExitCode.usage)
    expect(missing.stderr).toMatch(/Set HERMIT_KEYSTORE_PASSWORD/)

    const weak = await hermit('pay init with a too-short password', ['pay', 'init', '-k', none, '--json'], {
      HERMIT_KEYSTORE_PASSWORD: WEAK_PASSWORD,
    })
    expect(weak.code, weak.stdout).toBe(ExitCode.usage)
    expect(errorCode(weak)).toBe('ZKPAY_KEYSTORE_WEAK_PASSWORD')
    expect(existsSync(none)).toBe(false)

    const bad = await hermit('pay init without -k', ['pay', 'init', '--json'])
    expect(bad.code).toBe(ExitCode.usage)
    expect(bad.stderr).toMatch(/--keystore/)
  }, 300_000)

  it('pay open-pool prints no form of the key: opened, RPC down, no funds, key out of range, key without 0x, bad arguments', async () => {
    const d = net()
    const deployments = deploymentsFile(d)
    const provider = await fundKey(d)
    const openPoolArgs = (o: { rpc?: string; price?: string } = {}) => [
      'pay',
      'open-pool',
      '--rpc',
      o.rpc ?? d.rpcUrl,
      '--price',
      o.price ?? '1000 wei',
      '--stake',
      '100000 wei',
      '-f',
      deployments,
    ]
    const args = openPoolArgs()

    const json = await hermit('pay open-pool --json', [...args, '--json'])
    expect(json.code, json.stderr + json.stdout).toBe(ExitCode.ok)
    expect(JSON.parse(json.stdout)).toMatchObject({ provider, price: '1000', stake: '100000' })
    const human = await hermit('pay open-pool', args)
    expect(human.code, human.stderr).toBe(ExitCode.ok)
    expect(human.stdout).toContain(`opened by ${provider}`)

    const down = await hermit('pay open-pool, RPC down', [...openPoolArgs({ rpc: await deadRpc() }), '--json'])
    expect(down.code).toBe(ExitCode.unavailable)
    expect(errorCode(down)).toBe('CLI_RPC_UNREACHABLE')

    const poor = await hermit('pay open-pool from a wallet without funds', args, { HERMIT_PRIVATE_KEY: UNFUNDED_KEY })
    // said as what it is, with the account and its balance, not as the node's cost dump
    expect(poor.code).toBe(ExitCode.unavailable)
    expect(poor.stderr).toMatch(/error: The account 0x[0-9a-fA-F]{40} has 0 ETH: not enough for gas/)
    expect(poor.stderr).toMatch(/hint: .*HERMIT_PRIVATE_KEY/)

    const outOfRange = await hermit('pay open-pool, key out of range', [...args, '--json'], {
      HERMIT_PRIVATE_KEY: OUT_OF_RANGE_KEY,
    })
    expect(outOfRange.code).toBe(ExitCode.usage)
    expect(errorCode(outOfRange)).toBe('CLI_BAD_ARGUMENT')

    const no0x = await hermit('pay open-pool, key without 0x', args, { HERMIT_PRIVATE_KEY: KEY.slice(2) })
    expect(no0x.code).toBe(ExitCode.usage)
    expect(no0x.stderr).toMatch(/HERMIT_PRIVATE_KEY is not a 32-byte hex key/)

    const bad = await hermit('pay open-pool --price abc', [...openPoolArgs({ price: 'abc' }), '--json'])
    expect(bad.code).toBe(ExitCode.usage)
    expect(errorCode(bad)).toBe('CLI_BAD_ARGUMENT')
  }, 300_000)

  it('pay deposit prints no key, password, identity or deposit secret: deposited, wrong password, RPC down, reverted, bad arguments', async () => {
    const d = net()
    await fundKey(d)
    const ks = keystore('deposit')
    const pool = await openPool(d)
    const tokenPool = await openPool(d, d.deployments.contracts.DevToken!.address) // KEY holds none of this token
    const tickets = (name: string) => join(dir, `tickets-${name}-${Date.now()}.json`)
    const args = (p: Address, t: string, o: { rpc?: string; n?: string } = {}) => [
      'pay',
      'deposit',
      '--rpc',
      o.rpc ?? d.rpcUrl,
      '--pool',
      p,
      '-n',
      o.n ?? '2',
      '-k',
      ks.path,
      '-t',
      t,
    ]

    const ticketsFile = tickets('ok')
    const ok = await hermit('pay deposit', args(pool, ticketsFile))
    expect(ok.code, ok.stderr).toBe(ExitCode.ok)
    expect(ok.stdout).toMatch(/^deposited 2 tickets into 0x/)
    const { secretNonce } = JSON.parse(readFileSync(ticketsFile, 'utf8')) as { secretNonce: string }
    learnSecret('the deposit secret of pay deposit', ks.identity.depositSecret(BigInt(secretNonce)))

    const wrong = await hermit('pay deposit, wrong password', [...args(pool, tickets('wrong')), '--json'], {
      HERMIT_KEYSTORE_PASSWORD: WRONG_PASSWORD,
    })
    expect(wrong.code).toBe(ExitCode.dataError)
    expect(errorCode(wrong)).toBe('ZKPAY_KEYSTORE_WRONG_PASSWORD')

    const unreachable = await hermit('pay deposit, RPC down', args(pool, tickets('down'), { rpc: await deadRpc() }))
    expect(unreachable.code).toBe(ExitCode.unavailable)
    expect(unreachable.stderr).toMatch(/does not answer/)

    const reverted = await hermit('pay deposit, reverted', [...args(tokenPool, tickets('revert')), '--json'])
    expect(reverted.code, reverted.stdout).toBe(ExitCode.dataError)
    expect(errorCode(reverted)).toBe('CHAIN_REVERTED')

    const bad = await hermit('pay deposit -n 0', args(pool, tickets('bad'), { n: '0' }))
    expect(bad.code).toBe(ExitCode.usage)
    expect(bad.stderr).toMatch(/--tickets/)
  }, 300_000)

  it("pay fetch prints no password, identity or deposit secret: paid, wrong password, RPC down, another identity's tickets, bad URL", async () => {
    const d = net()
    const ks = keystore('fetch')
    const poolAddress = await openPool(d)
    const pool = await readPool(d.publicClient, poolAddress)
    const deposit = prepareDeposit(ks.identity, 3n)
    const { leafIndex } = await depositToPool(d.publicClient, d.walletClient, pool, deposit.leaf, 3n)
    const ticketsFile = join(dir, `tickets-fetch-${Date.now()}.json`)
    TicketStore.create(ticketsFile, {
      pool: pool.address,
      chainId: pool.chainId,
      leafIndex,
      tickets: 3,
      secretNonce: deposit.secretNonce,
    })
    learnSecret('the deposit secret of the paying identity', deposit.secret)
    const other = keystore('fetch-other')
    // what the client derives when it opens the ticket file with the other identity
    learnSecret(
      'the deposit secret the other identity derives',
      other.identity.depositSecret(BigInt(deposit.secretNonce)),
    )

    const store = SqliteNullifierStore.open(join(dir, `n-${Date.now()}.sqlite`))
    const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: 1 })
    const gate = createZkPayGate({ publicClient: d.publicClient, pool, store, verifier })
    const server: Server = createHttpServer(
      (req, res) => void gate.handle(req, res, async (r) => ({ body: `paid ${r.url}` })),
    )
    cleanups.push(async () => {
      server.closeAllConnections()
      server.close()
      await verifier.close()
      await store.close()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/hello`
    const args = (rpc: string, k = ks.path) => ['pay', 'fetch', url, '--rpc', rpc, '-k', k, '-t', ticketsFile]

    const paid = await hermit('pay fetch --json', [...args(d.rpcUrl), '--json'])
    expect(paid.code, paid.stderr + paid.stdout).toBe(ExitCode.ok)
    expect(JSON.parse(paid.stdout)).toMatchObject({ status: 200, ticket: 0, body: 'paid /v1/hello' })

    const wrong = await hermit('pay fetch, wrong password', args(d.rpcUrl), {
      HERMIT_KEYSTORE_PASSWORD: WRONG_PASSWORD,
    })
    expect(wrong.code).toBe(ExitCode.dataError)
    expect(wrong.stderr).toMatch(/Wrong password/)

    const down = await hermit('pay fetch, RPC down', [...args(await deadRpc()), '--json'])
    expect(down.code).toBe(ExitCode.unavailable)
    expect(errorCode(down)).toBe('CLI_RPC_UNREACHABLE')

    const foreign = await hermit("pay fetch with another identity's tickets", args(d.rpcUrl, other.path))
    // the tickets file is bound to its deposit: the mismatch is caught before any ticket is reserved or proved
    expect(foreign.code).toBe(ExitCode.dataError)
    expect(foreign.stderr).toMatch(
      /belongs to another identity: deposit #\d+ of pool 0x[0-9a-fA-F]{40} is not this keystore's deposit/,
    )

    const bad = await hermit('pay fetch nope', ['pay', 'fetch', 'nope', ...args(d.rpcUrl).slice(3), '--json'])
    expect(bad.code).toBe(ExitCode.usage)
    expect(errorCode(bad)).toBe('CLI_BAD_ARGUMENT')
  }, 300_000)

  it('jobs refund prints no form of the key: refunded, not yet expired, nothing left, RPC down, key out of range, bad job id', async () => {
    const d = net()
    const deployments = deploymentsFile(d)
    await fundKey(d)
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const { agentId } = await registerListedProvider(d, provider)
    const budget = parseUnits('3', 6)
    const { jobId } = await createJob(client.escrow, {
      provider: provider.account.address,
      evaluator: d.accounts[3]!.address,
      expiredAt: (await chainTime(client.escrow)) + 3600n,
      description: encodeJobRequest({ v: 1, skill: 'summarize', input: 'text' }),
    })
    await approvePaymentToken(provider.escrow, provider.escrow.hook, budget)
    await setBudget(provider.escrow, jobId, budget)
    await acceptJob(provider.escrow, jobId, budget, 0n, agentId)
    await fundJob(client.escrow, jobId, budget)
    const args = (rpc = d.rpcUrl, id = jobId.toString()) => ['jobs', 'refund', id, '--rpc', rpc, '-f', deployments]

    const early = await hermit('jobs refund before expiry', [...args(), '--json'])
    expect(early.code).toBe(ExitCode.unavailable)
    expect(errorCode(early)).toBe('AGENTS_JOB_NOT_EXPIRED')

    const outOfRange = await hermit('jobs refund, key out of range', args(), { HERMIT_PRIVATE_KEY: OUT_OF_RANGE_KEY })
    expect(outOfRange.code).toBe(ExitCode.usage)
    expect(outOfRange.stderr).toMatch(/HERMIT_PRIVATE_KEY/)

    const down = await hermit('jobs refund, RPC down', [...args(await deadRpc()), '--json'])
    expect(down.code).toBe(ExitCode.unavailable)
    expect(errorCode(down)).toBe('CLI_RPC_UNREACHABLE')

    const bad = await hermit('jobs refund nope', args(d.rpcUrl, 'nope'))
    expect(bad.code).toBe(ExitCode.usage)
    expect(bad.stderr).toMatch(/expected a job id/)

    await advanceChainPast(d, (await chainTime(client.escrow)) + 3600n)
    const refunded = await hermit('jobs refund', args())
    expect(refunded.code, refunded.stderr).toBe(ExitCode.ok)
    expect(refunded.stdout).toMatch(/refunded 3 dUSD .*bond 0.6 dUSD to the client/)

    const again = await hermit('jobs refund, nothing left', [...args(), '--json'])
    expect(again.code).toBe(ExitCode.dataError)
    expect(errorCode(again)).toBe('AGENTS_JOB_NOTHING_TO_REFUND')
  }, 300_000)

  it("hermit devnet prints none of anvil's dev keys nor its mnemonic: running until SIGINT, port in use, unreachable fork URL", async () => {
    const env = { HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD }
    const long = async (label: string, args: string[], ready: RegExp) => {
      const p = startHermit(args, { env })
      try {
        await p.waitForStdout(ready)
      } finally {
        const run = await p.stop('SIGINT')
        runs.push({ label, run })
        expectNoLeak(label, run)
        expect({ code: run.code, signal: run.signal }, `${label}: ${run.stderr}`).toEqual({
          code: ExitCode.ok,
          signal: null,
        })
      }
    }
    await long(
      'hermit devnet',
      ['devnet', '--port', '0', '--out', join(dir, 'devnet-human.json')],
      /running — press Ctrl-C to stop/,
    )
    await long(
      'hermit devnet --json',
      ['devnet', '--port', '0', '--no-deploy', '--out', join(dir, 'devnet-json.json'), '--json'],
      /^\{.*\}\n/,
    )

    const busy = await hermit('hermit devnet on a port in use', [
      'devnet',
      '--port',
      new URL(net().rpcUrl).port,
      '--out',
      join(dir, 'devnet-busy.json'),
      '--json',
    ])
    expect(busy.code).toBe(ExitCode.unavailable)
    expect(errorCode(busy)).toBe('DEVNET_PORT_IN_USE')

    const fork = await hermit('hermit devnet --fork-url <dead>', [
      'devnet',
      '--port',
      '0',
      '--fork-url',
      await deadRpc(),
      '--out',
      join(dir, 'devnet-fork.json'),
    ])
    expect(fork.code).toBe(ExitCode.unavailable)
    expect(fork.stderr).toMatch(/Cannot fork/)
  }, 300_000)

  it("hermit verify and hermit guard, which fork with anvil, print none of anvil's dev keys nor its mnemonic", async () => {
    const d = net()
    const request = JSON.stringify({
      chainId: d.chainId,
      from: d.accounts[1]!.address,
      to: d.accounts[2]!.address,
      value: '1000',
      data: '0x',
    })
    const verified = await runHermit(['verify', '--rpc', d.rpcUrl, '--intent', 'send 1000 wei', '-'], {
      stdin: request,
      env: { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD },
    })
    runs.push({ label: 'hermit verify', run: verified })
    expectNoLeak('hermit verify', verified)
    expect([ExitCode.ok, ExitCode.warn], verified.stderr).toContain(verified.code)
    expect(verified.stdout).toMatch(/^(ALLOW|WARN)/)

    const guard = startHermit(['guard', '--upstream', d.rpcUrl, '--port', '0', '--model', 'none'], {
      env: { HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD },
    })
    let run: HermitRun
    try {
      const url = /hermit guard on (http:\/\/\S+)/.exec(await guard.waitForStdout(/hermit guard on http:\/\/\S+ /))![1]!
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'eth_sendTransaction',
          params: [{ from: d.accounts[1]!.address, to: d.accounts[2]!.address, value: '0x3e8' }],
        }),
      })
      expect(((await res.json()) as { result?: string }).result).toMatch(/^0x[0-9a-f]{64}$/)
    } finally {
      run = await guard.stop('SIGINT')
    }
    runs.push({ label: 'hermit guard', run })
    expectNoLeak('hermit guard', run)
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    expect(run.stderr).toMatch(/eth_sendTransaction: (allow|warn)/)
  }, 300_000)

  it('an API key in an RPC URL stays out of the output: devnet --fork-url, deployments --check, verify --rpc, an RPC failing mid-command', async () => {
    const d = net()
    const file = join(dir, 'devnet-fork-key.json')
    const devnet = startHermit(
      ['devnet', '--port', '0', '--no-deploy', '--fork-url', withApiKey(d.rpcUrl), '--out', file, '--json'],
      { env: { HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD } },
    )
    let started: HermitRun & { signal: NodeJS.Signals | null }
    try {
      const line = (await devnet.waitForStdout(/^\{.*\}\n/)).split('\n')[0]!
      expect(JSON.parse(line).fork).toEqual({ url: `${d.rpcUrl}/…` })
      const shown = await hermit('hermit deployments --check of a fork', [
        'deployments',
        '-f',
        file,
        '--check',
        '--json',
      ])
      expect(shown.code, shown.stderr + shown.stdout).toBe(ExitCode.ok)
      expect(JSON.parse(shown.stdout)).toMatchObject({ fork: { url: `${d.rpcUrl}/…` }, check: { missingCode: [] } })
    } finally {
      started = await devnet.stop('SIGINT')
    }
    runs.push({ label: 'hermit devnet --fork-url', run: started })
    expectNoLeak('hermit devnet --fork-url', started)
    expect({ code: started.code, signal: started.signal }).toEqual({ code: ExitCode.ok, signal: null })

    const request = { chainId: d.chainId, from: d.accounts[1]!.address, to: d.accounts[2]!.address, value: '1' }
    const verified = await runHermit(['verify', '--rpc', withApiKey(d.rpcUrl), '-'], {
      stdin: JSON.stringify(request),
      env: { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: KEY, HERMIT_KEYSTORE_PASSWORD: PASSWORD },
    })
    runs.push({ label: 'hermit verify --rpc <with a key>', run: verified })
    expectNoLeak('hermit verify --rpc <with a key>', verified)
    expect([ExitCode.ok, ExitCode.warn], verified.stderr).toContain(verified.code)
    expect(verified.stderr).toContain(`forking ${new URL(d.rpcUrl).host} for the simulation`)

    const failing = withApiKey(await failingRpc())
    const ks = keystore('failing-rpc')
    const tickets = join(dir, `tickets-failing-${Date.now()}.json`)
    const pool = d.accounts[9]!.address
    const deposit = await hermit('pay deposit, RPC failing mid-command', [
      ...['pay', 'deposit', '--rpc', failing, '--pool', pool, '-n', '1', '-k', ks.path, '-t', tickets],
    ])
    expect(deposit.code).not.toBe(ExitCode.ok)
    expect(deposit.stderr).toMatch(/HTTP request failed/)
    const refund = await hermit('jobs refund --json, RPC failing mid-command', [
      ...['jobs', 'refund', '1', '--rpc', failing, '-f', deploymentsFile(d), '--json'],
    ])
    expect(refund.code).not.toBe(ExitCode.ok)
    expect(JSON.parse(refund.stdout).error.message).toMatch(/HTTP request failed/)
  }, 300_000)

  it('keys import / new / address print no form of the key or password: imported, over a file, too short, a bad key', async () => {
    const imported = join(dir, `keys-${Date.now()}.json`)
    const human = await hermit('keys import', ['keys', 'import', '-k', imported])
    expect(human.code, human.stderr).toBe(ExitCode.ok)
    expect(human.stdout).toContain(privateKeyToAddress(KEY))
    const address = await hermit('keys address --json', ['keys', 'address', '-k', imported, '--json'])
    expect(JSON.parse(address.stdout)).toMatchObject({ address: privateKeyToAddress(KEY) })
    const over = await hermit('keys new over a keystore', ['keys', 'new', '-k', imported, '--json'])
    expect(errorCode(over)).toBe('CHAIN_KEYSTORE_EXISTS')
    const none = join(dir, `keys-none-${Date.now()}.json`)
    const weak = await hermit('keys new, too-short password', ['keys', 'new', '-k', none, '--json'], {
      HERMIT_KEYSTORE_PASSWORD: WEAK_PASSWORD,
    })
    expect(errorCode(weak)).toBe('CHAIN_KEYSTORE_WEAK_PASSWORD')
    const outOfRange = await hermit('keys import, key out of range', ['keys', 'import', '-k', none, '--json'], {
      HERMIT_PRIVATE_KEY: OUT_OF_RANGE_KEY,
    })
    expect(errorCode(outOfRange)).toBe('CHAIN_KEYSTORE_INVALID')
    expect(existsSync(none)).toBe(false)
  }, 300_000)
})
