// `--json` is always JSON, for every command: each leaf command commander knows has a row below
// (a command without one fails this file), with one success case and each kind of error that
// applies to it — usage (64), bad data (65), something unavailable (69), I/O (74). Every case runs
// with --json, and its stdout must be exactly one JSON document: on success the command's result,
// on error `{ error: { code, message, hint } }` with the status the README gives.
//
// The cases run in this process through `run()`, what bin.ts calls: same statuses, same output,
// without a binary start per case. That the README's own invocation (`pnpm -s hermit …`) adds
// nothing to stdout is json.test.ts's job. Servers (devnet, guard, ui, gateway, pay proxy,
// mcp --http) print their one JSON document (their URL) and are stopped with the SIGINT they listen
// for; the two stdio servers (mcp, mcp-guard), whose stdout is the MCP channel, run as real
// processes: every line they print there is a JSON-RPC message.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { parseUnits, toHex, type Hex } from 'viem'
import type { Command } from 'commander'
import { saveAccountKeystore } from '@hermit/chain'
import { writeDeployments, type Devnet } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
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
import { REPO_ROOT, WALLET_SERVER_SCRIPT } from '@hermit/mcp/testing'
import { TicketStore, ZkIdentity, saveKeystore } from '@hermit/zkpay'
import { devnetDepositor, devnetPool, startPaidServer } from '@hermit/zkpay/testing'
import { ExitCode } from './exit.ts'
import { buildProgram } from './program.ts'
import { HERMIT_BIN, type HermitRun } from './testing/index.ts'
import { hermitInProcess } from './testing/in-process.ts'

const net = useDevnet({ world: 'defi' })
const dir = mkdtempSync(join(tmpdir(), 'hermit-json-every-'))
const PASSWORD = 'json-every test password'
const stops: Array<() => unknown> = []
afterAll(async () => {
  for (const s of stops) await s()
})

type Kind = 'usage' | 'data' | 'unavailable' | 'io'
const STATUS: Record<Kind, ExitCode> = {
  usage: ExitCode.usage,
  data: ExitCode.dataError,
  unavailable: ExitCode.unavailable,
  io: ExitCode.ioError,
}

/** What every row can use: the devnet, files, and an RPC where nothing answers. */
type Fixtures = {
  d: Devnet
  rpc: string
  /** nothing listens on port 1 */
  down: string
  /** the devnet's deployments file */
  deployments: string
  /** a path where there is no file */
  missing: string
  /** a file that is not JSON */
  notJson: string
  /** a fresh path in the test folder */
  path: (name: string) => string
  address: (i: number) => Hex
  key: (i: number) => Hex
}

/** A command line (without --json: every case gets it), and the environment it runs with. */
type Invocation = { args: string[]; env?: Record<string, string> }
/** What a row's setup made (addresses, paths), for its cases. */
type Made = Record<string, string>
type Case = (f: Fixtures, m: Made) => Invocation
/** An error case: its kind (the exit status), its code, the command, and what its message must say (when it matters). */
type ErrorCase = [Kind, string, Case] | [Kind, string, Case, RegExp]

type Row = {
  /** Chain state or files this command's cases need (made in its own test: the devnet is reverted after each). */
  setup?: (f: Fixtures) => Promise<Made>
  success: Case
  /** How the success case runs: to its end (default), as a server stopped after its first line, or as a stdio process. */
  how?: 'server' | 'stdio'
  /** What the success document says (beyond being one JSON document with no `error`). */
  check?: (doc: Record<string, unknown>, f: Fixtures, m: Made) => void | Promise<void>
  /** The errors, before the success case, each with its kind (the status) and code. */
  errors: ErrorCase[]
  /** Errors only reachable after the success case (a job refunded once is nothing left to refund). */
  after?: ErrorCase[]
  /** Runs between the errors and the success case. */
  before?: (f: Fixtures, m: Made) => Promise<void>
}

const withPassword = { HERMIT_KEYSTORE_PASSWORD: PASSWORD }
const common = (f: Fixtures) => ['--rpc', f.rpc, '-f', f.deployments]

/** A ZK identity keystore in the test folder (scrypt kept cheap: the tests do not need it slow). */
function zkKeystore(f: Fixtures, identity = ZkIdentity.random()): string {
  const path = f.path('zk-id.json')
  saveKeystore(path, identity, PASSWORD, { N: 1024 })
  return path
}

/** A tickets file for a pool at `pool` (not necessarily a deposit of the keystore's identity). */
const ticketsFor = (f: Fixtures, pool: string, leaf?: string) =>
  TicketStore.create(f.path('tickets.json'), {
    pool: pool as Hex,
    chainId: f.d.chainId,
    leafIndex: 0,
    tickets: 1,
    secretNonce: '7',
    ...(leaf ? { leaf } : {}),
  }).path

/** A deposit of a fresh identity into a fresh pool (its keystore and tickets file), and a server the pool pays. */
async function deposit(f: Fixtures): Promise<Made> {
  const { pool } = await devnetPool(f.d, { providerIndex: 5 })
  const user = await devnetDepositor(f.d, pool, 1, 2n, dir)
  const paid = await startPaidServer(f.d, pool, {
    dbPath: f.path('nullifiers.sqlite'),
    workers: 1,
    slasherIndex: null,
    handler: async () => ({ status: 200, body: 'paid' }),
  })
  stops.push(() => paid.close())
  return {
    pool: pool.address,
    keystore: zkKeystore(f, user.identity),
    tickets: user.tickets.path,
    gateway: paid.url,
    free: await freeEndpoint(),
  }
}

/** A provider of "summarize" at 3 dUSD, registered on the devnet's escrow. */
async function summarizer(f: Fixtures): Promise<{ agentId: bigint }> {
  const provider = await devnetParty(f.d, 2)
  return registerListedProvider(f.d, provider)
}

/** A job funded by dev account 1 with provider 2 (its bond locked), expiring in an hour of chain time. */
async function fundedJob(f: Fixtures): Promise<Made> {
  const [client, provider] = await Promise.all([devnetParty(f.d, 1), devnetParty(f.d, 2)])
  const { agentId } = await summarizer(f)
  const budget = parseUnits('3', 6)
  const expiredAt = (await chainTime(client.escrow)) + 3600n
  const { jobId } = await createJob(client.escrow, {
    provider: provider.account.address,
    evaluator: f.address(3),
    expiredAt,
    description: encodeJobRequest({ v: 1, skill: 'summarize', input: 'text' }),
  })
  await approvePaymentToken(provider.escrow, provider.escrow.hook, budget)
  await setBudget(provider.escrow, jobId, budget)
  await acceptJob(provider.escrow, jobId, budget, 0n, agentId)
  await fundJob(client.escrow, jobId, budget)
  return { jobId: jobId.toString(), expiredAt: expiredAt.toString() }
}

/** A deployments file of the devnet's contracts, but naming another chain or an RPC where nothing answers. */
function otherDeployments(f: Fixtures, change: { chainId?: number; rpcUrl?: string }): string {
  const path = f.path('deployments.json')
  writeDeployments(path, { ...f.d.deployments, ...change })
  return path
}

/** A plain HTTP endpoint that answers 200 without asking for payment. */
async function freeEndpoint(): Promise<string> {
  const server = createServer((_, res) => res.end('{"free":true}'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  stops.push(() => new Promise((r) => server.close(r)))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/free`
}

/** A transfer of 1 wei between two dev accounts: nothing to warn about (the recipient is in the address book). */
function transferRequest(f: Fixtures): { request: string; book: string } {
  const request = f.path('request.json')
  writeFileSync(
    request,
    JSON.stringify({ chainId: f.d.chainId, from: f.address(1), to: f.address(2), value: '1', data: '0x' }),
  )
  const book = f.path('book.json')
  writeFileSync(book, JSON.stringify({ bob: f.address(2) }))
  return { request, book }
}

const rows: Record<string, Row> = {
  devnet: {
    how: 'server',
    success: (f, m) => ({ args: ['devnet', '-p', '0', '--no-deploy', '-o', m.out!] }),
    setup: async (f) => ({ out: f.path('devnet-deployments.json') }),
    check: (doc, _f, m) => {
      expect(doc).toMatchObject({ deploymentsFile: m.out, rpcUrl: expect.stringMatching(/^http:/) })
      expect(existsSync(m.out!)).toBe(false) // removed on stop
    },
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', () => ({ args: ['devnet', '--port', 'abc'] })],
      ['usage', 'CLI_BAD_ARGUMENT', () => ({ args: ['devnet', '--world', 'moon'] })],
      [
        'unavailable',
        'DEVNET_FORK_FAILED',
        (f) => ({ args: ['devnet', '-p', '0', '--no-deploy', '--fork-url', f.down, '-o', f.path('fork.json')] }),
      ],
    ],
  },

  deployments: {
    success: (f) => ({ args: ['deployments', '-f', f.deployments] }),
    check: (doc, f) => expect(doc).toMatchObject({ chainId: f.d.chainId }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['deployments', '-f', f.deployments, '--bogus'] })],
      ['data', 'DEVNET_DEPLOYMENTS_NOT_JSON', (f) => ({ args: ['deployments', '-f', f.notJson] })],
      [
        'data',
        'DEVNET_DEPLOYMENTS_INVALID',
        (f) => ({ args: ['deployments', '-f', otherDeployments(f, { chainId: 1 }), '--check'] }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f) => ({ args: ['deployments', '-f', otherDeployments(f, { rpcUrl: f.down }), '--check'] }),
      ],
      ['io', 'DEVNET_DEPLOYMENTS_UNREADABLE', (f) => ({ args: ['deployments', '-f', f.missing] })],
    ],
  },

  verify: {
    setup: async (f) => {
      const empty = f.path('empty-request.json')
      writeFileSync(empty, '{}')
      return { ...transferRequest(f), empty }
    },
    success: (f, m) => ({ args: ['verify', '--rpc', f.rpc, '--address-book', m.book!, m.request!] }),
    check: (doc) => expect(doc).toMatchObject({ verdict: 'allow' }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (_f, m) => ({ args: ['verify', '--rpc', 'not-a-url', m.request!] })],
      ['data', 'CLI_INPUT_NOT_JSON', (f) => ({ args: ['verify', '--rpc', f.rpc, f.notJson] })],
      ['data', 'TXGUARD_REQUEST_INVALID', (f, m) => ({ args: ['verify', '--rpc', f.rpc, m.empty!] })],
      ['unavailable', 'DEVNET_FORK_FAILED', (f, m) => ({ args: ['verify', '--rpc', f.down, m.request!] })],
      ['io', 'CLI_INPUT_UNREADABLE', (f) => ({ args: ['verify', '--rpc', f.rpc, f.missing] })],
    ],
  },

  guard: {
    how: 'server',
    success: (f) => ({ args: ['guard', '--upstream', f.rpc, '-p', '0'] }),
    check: (doc) => expect(doc).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/) }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['guard', '--upstream', f.rpc, '--hold', '0'] })],
      ['data', 'CLI_INPUT_NOT_JSON', (f) => ({ args: ['guard', '--upstream', f.rpc, '--policy', f.notJson] })],
      ['unavailable', 'DEVNET_FORK_FAILED', (f) => ({ args: ['guard', '--upstream', f.down, '-p', '0'] })],
      ['io', 'CLI_INPUT_UNREADABLE', (f) => ({ args: ['guard', '--upstream', f.rpc, '--policy', f.missing] })],
    ],
  },

  propose: {
    setup: async (f) => transferRequest(f),
    success: (f, m) => ({
      args: ['propose', 'send 0.1 ETH to bob', ...propose(f), '--from', f.address(1), '--address-book', m.book!],
      env: { HERMIT_MODEL: 'none' },
    }),
    check: (doc) => expect(doc).toMatchObject({ sent: false, proposal: { verdict: 'allow' } }),
    errors: [
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f) => ({ args: ['propose', 'send 0.1 ETH to bob', ...propose(f), '--venue', 'v9'] }),
      ],
      [
        'usage',
        'CLI_MISSING_SECRET',
        (f, m) => ({ args: ['propose', 'send 0.1 ETH to bob', ...propose(f), '--address-book', m.book!] }),
      ],
      [
        'data',
        'INTENT_UNKNOWN_NAME',
        (f) => ({ args: ['propose', 'send 0.1 ETH to zorro', ...propose(f), '--from', f.address(1), '--dry-run'] }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f) => ({ args: ['propose', 'send 0.1 ETH to bob', '--rpc', f.down, '--deployments', f.deployments] }),
      ],
      [
        'io',
        'DEVNET_DEPLOYMENTS_UNREADABLE',
        (f) => ({ args: ['propose', 'send 0.1 ETH to bob', '--rpc', f.rpc, '--deployments', f.missing] }),
      ],
    ],
  },

  'keys new': {
    success: (f) => ({ args: ['keys', 'new', '-k', f.path('key.json')], env: withPassword }),
    check: (doc) => expect(doc).toMatchObject({ created: true, address: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/) }),
    errors: [
      ['usage', 'CLI_MISSING_SECRET', (f) => ({ args: ['keys', 'new', '-k', f.path('key.json')] })],
      [
        'usage',
        'CHAIN_KEYSTORE_WEAK_PASSWORD',
        (f) => ({ args: ['keys', 'new', '-k', f.path('key.json')], env: { HERMIT_KEYSTORE_PASSWORD: 'short' } }),
      ],
      ['data', 'CHAIN_KEYSTORE_EXISTS', (f) => ({ args: ['keys', 'new', '-k', f.notJson], env: withPassword })],
    ],
  },

  'keys import': {
    success: (f) => ({
      args: ['keys', 'import', '-k', f.path('key.json')],
      env: { ...withPassword, HERMIT_PRIVATE_KEY: f.key(4) },
    }),
    check: (doc, f) => expect(doc).toMatchObject({ created: true, address: f.address(4) }),
    errors: [
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f) => ({
          args: ['keys', 'import', '-k', f.path('key.json')],
          env: { ...withPassword, HERMIT_PRIVATE_KEY: '0x1234' },
        }),
      ],
      [
        'data',
        'CHAIN_KEYSTORE_EXISTS',
        (f) => ({ args: ['keys', 'import', '-k', f.notJson], env: { ...withPassword, HERMIT_PRIVATE_KEY: f.key(4) } }),
      ],
    ],
  },

  'keys address': {
    setup: async (f) => {
      const keystore = f.path('key.json')
      saveAccountKeystore(keystore, f.key(4), PASSWORD, { N: 1024 })
      const notKeystore = f.path('not-a-keystore.json')
      writeFileSync(notKeystore, '{}')
      return { keystore, notKeystore }
    },
    success: (_f, m) => ({ args: ['keys', 'address', '-k', m.keystore!] }),
    check: (doc, f) => expect(doc).toMatchObject({ created: false, address: f.address(4) }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', () => ({ args: ['keys', 'address', '-k', ''] })],
      ['data', 'CHAIN_KEYSTORE_INVALID', (_f, m) => ({ args: ['keys', 'address', '-k', m.notKeystore!] })],
      ['io', 'CHAIN_KEYSTORE_UNREADABLE', (f) => ({ args: ['keys', 'address', '-k', f.missing] })],
    ],
  },

  ui: {
    how: 'server',
    success: (f) => ({ args: ['ui', ...ui(f), '--from', f.address(1)] }),
    check: (doc) =>
      expect(doc).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/), signer: null }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['ui', ...ui(f), '--port', 'abc'] })],
      ['usage', 'CLI_MISSING_SECRET', (f) => ({ args: ['ui', ...ui(f)] })],
      [
        'data',
        'CLI_INPUT_NOT_JSON',
        (f) => ({ args: ['ui', ...ui(f), '--from', f.address(1), '--policy', f.notJson] }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f) => ({ args: ['ui', '--rpc', f.down, '--deployments', f.deployments] }),
      ],
      ['io', 'DEVNET_DEPLOYMENTS_UNREADABLE', (f) => ({ args: ['ui', '--rpc', f.rpc, '--deployments', f.missing] })],
    ],
  },

  'pay init': {
    success: (f) => ({ args: ['pay', 'init', '-k', f.path('zk.json')], env: withPassword }),
    check: (doc) => expect(doc).toMatchObject({ commitment: expect.stringMatching(/^\d+$/) }),
    errors: [
      ['usage', 'CLI_MISSING_SECRET', (f) => ({ args: ['pay', 'init', '-k', f.path('zk.json')] })],
      [
        'usage',
        'ZKPAY_KEYSTORE_WEAK_PASSWORD',
        (f) => ({ args: ['pay', 'init', '-k', f.path('zk.json')], env: { HERMIT_KEYSTORE_PASSWORD: 'short' } }),
      ],
      ['data', 'ZKPAY_KEYSTORE_EXISTS', (f) => ({ args: ['pay', 'init', '-k', f.notJson], env: withPassword })],
    ],
  },

  'pay open-pool': {
    success: (f) => ({ args: openPool(f, f.deployments), env: { HERMIT_PRIVATE_KEY: f.key(5) } }),
    check: (doc, f) =>
      expect(doc).toMatchObject({
        provider: f.address(5),
        price: '1000000000000000',
        unit: { symbol: 'ETH', decimals: 18 },
      }),
    errors: [
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f) => ({ args: [...openPool(f, f.deployments), '--price', '5'], env: { HERMIT_PRIVATE_KEY: f.key(5) } }),
      ],
      ['usage', 'CLI_MISSING_SECRET', (f) => ({ args: openPool(f, f.deployments) })],
      [
        'data',
        'CLI_NOT_A_TOKEN',
        (f) => ({
          args: [...openPool(f, f.deployments), '--token', f.address(7)],
          env: { HERMIT_PRIVATE_KEY: f.key(5) },
        }),
        /^0x[0-9a-fA-F]{40} is not an ERC-20 on chain \d+/,
      ],
      [
        'unavailable',
        'CLI_NO_FUNDS',
        // a key no one funded
        (f) => ({ args: openPool(f, f.deployments), env: { HERMIT_PRIVATE_KEY: `0x${'42'.repeat(32)}` } }),
      ],
      [
        'io',
        'DEVNET_DEPLOYMENTS_UNREADABLE',
        (f) => ({ args: openPool(f, f.missing), env: { HERMIT_PRIVATE_KEY: f.key(5) } }),
      ],
    ],
  },

  'pay deposit': {
    setup: async (f) => {
      const { pool } = await devnetPool(f.d, { providerIndex: 5 })
      return { pool: pool.address, keystore: zkKeystore(f) }
    },
    success: (f, m) => ({ args: depositArgs(f, m.pool!, m.keystore!), env: payer(f) }),
    check: (doc, _f, m) => expect(doc).toMatchObject({ pool: m.pool, leafIndex: 0, tickets: 2 }),
    errors: [
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f, m) => ({ args: [...depositArgs(f, m.pool!, m.keystore!), '-n', '0'], env: payer(f) }),
      ],
      // an account, and a contract that is no pool (the devnet's token): not viem's dump of a reverted read
      [
        'data',
        'CLI_NOT_A_POOL',
        (f, m) => ({ args: depositArgs(f, f.address(6), m.keystore!), env: payer(f) }),
        /^0x[0-9a-fA-F]{40} is not a CreditPool on chain \d+: there is no contract at that address/,
      ],
      [
        'data',
        'CLI_NOT_A_POOL',
        (f, m) => ({ args: depositArgs(f, f.d.deployments.contracts.DevToken!.address, m.keystore!), env: payer(f) }),
        /is not a CreditPool on chain \d+: the contract there does not answer as one/,
      ],
      [
        'data',
        'ZKPAY_TICKETS_EXIST',
        (f, m) => ({ args: [...depositArgs(f, m.pool!, m.keystore!), '-t', f.notJson], env: payer(f) }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f, m) => ({ args: [...depositArgs(f, m.pool!, m.keystore!), '--rpc', f.down], env: payer(f) }),
      ],
      ['io', 'ZKPAY_KEYSTORE_UNREADABLE', (f, m) => ({ args: depositArgs(f, m.pool!, f.missing), env: payer(f) })],
    ],
  },

  'pay fetch': {
    setup: async (f) => ({
      keystore: zkKeystore(f),
      tickets: ticketsFor(f, `0x${'11'.repeat(20)}`),
      wrong: ticketsFor(f, `0x${'11'.repeat(20)}`, '12345'),
      free: await freeEndpoint(),
    }),
    success: (f, m) => ({ args: fetchArgs(f, m.free!, m.keystore!, m.tickets!), env: withPassword }),
    check: (doc) => expect(doc).toMatchObject({ status: 200, payment: null, body: '{"free":true}' }),
    errors: [
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f, m) => ({ args: fetchArgs(f, 'not a url', m.keystore!, m.tickets!), env: withPassword }),
      ],
      [
        'data',
        'ZKPAY_TICKETS_WRONG_IDENTITY',
        (f, m) => ({ args: fetchArgs(f, m.free!, m.keystore!, m.wrong!), env: withPassword }),
      ],
      [
        'unavailable',
        'CLI_UNREACHABLE',
        (f, m) => ({ args: fetchArgs(f, 'http://127.0.0.1:1/paid', m.keystore!, m.tickets!), env: withPassword }),
      ],
      [
        'io',
        'ZKPAY_TICKETS_UNREADABLE',
        (f, m) => ({ args: fetchArgs(f, m.free!, m.keystore!, f.missing), env: withPassword }),
      ],
    ],
  },

  'pay proxy': {
    how: 'server',
    setup: deposit,
    success: (f, m) => ({ args: proxyArgs(f, m), env: withPassword }),
    check: (doc, _f, m) =>
      expect(doc).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/),
        pool: m.pool,
        ticketsLeft: 2,
      }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f, m) => ({ args: [...proxyArgs(f, m), '--port', 'abc'], env: withPassword })],
      [
        'data',
        'ZKPAY_KEYSTORE_WRONG_PASSWORD',
        (f, m) => ({ args: proxyArgs(f, m), env: { HERMIT_KEYSTORE_PASSWORD: 'another long password' } }),
      ],
      // an endpoint that answers without asking for payment is no gateway
      [
        'data',
        'ZKPAY_NOT_PAID_ENDPOINT',
        (f, m) => ({ args: [...proxyArgs(f, m), '--gateway', m.free!], env: withPassword }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f, m) => ({ args: [...proxyArgs(f, m), '--rpc', f.down], env: withPassword }),
      ],
      [
        'unavailable',
        'CLI_UNREACHABLE',
        (f, m) => ({ args: [...proxyArgs(f, m), '--gateway', f.down], env: withPassword }),
      ],
      [
        'io',
        'ZKPAY_TICKETS_UNREADABLE',
        (f, m) => ({ args: [...proxyArgs(f, m), '-t', f.missing], env: withPassword }),
      ],
    ],
  },

  gateway: {
    how: 'server',
    setup: async (f) => {
      const { pool } = await devnetPool(f.d, { providerIndex: 5 })
      return { pool: pool.address }
    },
    success: (f, m) => ({ args: gatewayArgs(f, m.pool!) }),
    check: (doc, _f, m) =>
      expect(doc).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/),
        pool: m.pool,
        tokensPerTicket: 1000,
      }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f, m) => ({ args: [...gatewayArgs(f, m.pool!), '--upstream', 'not a url'] })],
      // an amount without its unit: "250000000000000" could be wei or ETH
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f, m) => ({ args: [...gatewayArgs(f, m.pool!), '--price-per-1k-tokens', '250000000000000'] }),
        /--price-per-1k-tokens: "250000000000000" has no unit/,
      ],
      // a price per 1000 tokens so high one ticket buys none
      [
        'usage',
        'GATEWAY_BAD_OPTIONS',
        (f, m) => ({ args: [...gatewayArgs(f, m.pool!), '--price-per-1k-tokens', '10000 ETH'] }),
        /one ticket \(0\.001 ETH\) would buy no token/,
      ],
      ['data', 'CLI_NOT_A_POOL', (f) => ({ args: gatewayArgs(f, f.address(6)) }), /is not a CreditPool/],
      ['unavailable', 'CLI_RPC_UNREACHABLE', (f, m) => ({ args: [...gatewayArgs(f, m.pool!), '--rpc', f.down] })],
    ],
  },

  'jobs list': {
    success: (f) => ({ args: ['jobs', 'list', '--address', f.address(1), ...common(f)] }),
    check: (doc, f) => expect(doc).toMatchObject({ address: f.address(1), role: 'client', jobs: [] }),
    errors: jobErrors((f) => ['jobs', 'list', '--address', f.address(1)], ['--role', 'king']),
  },

  'jobs show': {
    setup: fundedJob,
    success: (f, m) => ({ args: ['jobs', 'show', m.jobId!, ...common(f)] }),
    check: (doc, _f, m) => expect(doc).toMatchObject({ job: { jobId: m.jobId, status: 'Funded', budget: '3000000' } }),
    errors: [
      ...jobErrors((_f, m) => ['jobs', 'show', m.jobId!], ['--bogus']),
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['jobs', 'show', 'nope', ...common(f)] })],
      ['data', 'AGENTS_JOB_UNKNOWN', (f) => ({ args: ['jobs', 'show', '99', ...common(f)] })],
    ],
  },

  'jobs refund': {
    setup: fundedJob,
    success: (f, m) => ({ args: ['jobs', 'refund', m.jobId!, ...common(f)], env: { HERMIT_PRIVATE_KEY: f.key(4) } }),
    check: (doc) =>
      expect(doc).toMatchObject({
        status: 'Expired',
        done: [expect.stringMatching(/^refunded 3 dUSD /), expect.any(String)],
      }),
    errors: [
      ['usage', 'CLI_MISSING_SECRET', (f, m) => ({ args: ['jobs', 'refund', m.jobId!, ...common(f)] })],
      [
        'unavailable',
        'AGENTS_JOB_NOT_EXPIRED',
        (f, m) => ({ args: ['jobs', 'refund', m.jobId!, ...common(f)], env: { HERMIT_PRIVATE_KEY: f.key(4) } }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f, m) => ({
          args: ['jobs', 'refund', m.jobId!, '--rpc', f.down, '-f', f.deployments],
          env: { HERMIT_PRIVATE_KEY: f.key(4) },
        }),
      ],
      [
        'io',
        'DEVNET_DEPLOYMENTS_UNREADABLE',
        (f, m) => ({ args: ['jobs', 'refund', m.jobId!, '--rpc', f.rpc, '-f', f.missing] }),
      ],
    ],
    before: (f, m) => advanceChainPast(f.d, BigInt(m.expiredAt!)),
    after: [
      [
        'data',
        'AGENTS_JOB_NOTHING_TO_REFUND',
        (f, m) => ({ args: ['jobs', 'refund', m.jobId!, ...common(f)], env: { HERMIT_PRIVATE_KEY: f.key(4) } }),
      ],
    ],
  },

  'agents find': {
    setup: async (f) => ({ agentId: (await summarizer(f)).agentId.toString() }),
    success: (f) => ({ args: ['agents', 'find', '--skill', 'summarize', '--max-price', '2 dUSD', ...common(f)] }),
    // left out, and why, with the unit: not "asks 3000000, above 2000000"
    check: (doc, _f, m) =>
      expect(doc).toMatchObject({
        candidates: [],
        skipped: [{ agentId: m.agentId, reason: 'asks 3 dUSD, above --max-price 2 dUSD' }],
        unit: { symbol: 'dUSD', decimals: 6 },
      }),
    errors: [
      ...jobErrors(() => ['agents', 'find', '--skill', 'summarize'], ['--min-jobs', '-1']),
      [
        'usage',
        'CLI_BAD_ARGUMENT',
        (f) => ({ args: ['agents', 'find', '--skill', 'summarize', '--max-price', '3', ...common(f)] }),
      ],
    ],
  },

  mcp: {
    how: 'server',
    success: (f) => ({
      args: ['mcp', ...common(f), '--http', '-p', '0', '--token', 'a bearer token of 16+ characters'],
    }),
    check: async (doc, f) => {
      expect(doc).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/), token: true, wallet: null })
      // and on stdio, where stdout is the MCP channel: only JSON-RPC messages there
      const stdio = await stdioServer(['mcp', ...common(f), '--json'])
      expect(stdio.code, stdio.stderr).toBe(0)
      expect(jsonLines(stdio.stdout)).toContainEqual(expect.objectContaining({ jsonrpc: '2.0', id: 1 }))
    },
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['mcp', ...common(f), '--http', '--token', 'short'] })],
      ['data', 'CLI_INPUT_NOT_JSON', (f) => ({ args: ['mcp', ...common(f), '--policy', f.notJson] })],
      ['unavailable', 'CLI_RPC_UNREACHABLE', (f) => ({ args: ['mcp', '--rpc', f.down, '-f', f.deployments] })],
      ['io', 'CLI_INPUT_UNREADABLE', (f) => ({ args: ['mcp', ...common(f), '--policy', f.missing] })],
    ],
  },

  'mcp-guard': {
    how: 'stdio',
    success: (f) => ({
      args: [
        'mcp-guard',
        '--rpc',
        f.rpc,
        '--from',
        f.address(1),
        '--json',
        '--',
        process.execPath,
        '--import',
        'tsx',
        WALLET_SERVER_SCRIPT,
      ],
      env: { WALLET_RPC_URL: f.rpc, EVM_PRIVATE_KEY: f.key(1) },
    }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['mcp-guard', '--rpc', f.rpc, '--', 'true'] })],
      [
        'data',
        'MCP_GUARD_CONFIG_INVALID',
        (f) => ({ args: ['mcp-guard', '--rpc', f.rpc, '--config', f.notJson, '--', 'true'] }),
      ],
      [
        'unavailable',
        'CLI_RPC_UNREACHABLE',
        (f) => ({ args: ['mcp-guard', '--rpc', f.down, '--from', f.address(1), '--', 'true'] }),
      ],
      [
        'io',
        'CLI_INPUT_UNREADABLE',
        (f) => ({ args: ['mcp-guard', '--rpc', f.rpc, '--from', f.address(1), '--policy', f.missing, '--', 'true'] }),
      ],
    ],
  },

  trust: {
    success: (f) => ({ args: ['trust', f.d.deployments.contracts.DevToken!.address, '--rpc', f.rpc] }),
    check: (doc, f) => expect(doc).toMatchObject({ address: f.d.deployments.contracts.DevToken!.address }),
    errors: [
      ['usage', 'CLI_BAD_ARGUMENT', (f) => ({ args: ['trust', 'not-an-address', '--rpc', f.rpc] })],
      ['unavailable', 'CLI_RPC_UNREACHABLE', (f) => ({ args: ['trust', f.address(1), '--rpc', f.down] })],
    ],
  },
}

/** The errors every `jobs` / `agents` command shares: a bad flag, another chain's file, no node, no file. */
function jobErrors(words: (f: Fixtures, m: Made) => string[], badFlag: string[]): ErrorCase[] {
  return [
    ['usage', 'CLI_BAD_ARGUMENT', (f, m) => ({ args: [...words(f, m), ...common(f), ...badFlag] })],
    [
      'data',
      'CLI_WRONG_CHAIN',
      (f, m) => ({ args: [...words(f, m), '--rpc', f.rpc, '-f', otherDeployments(f, { chainId: 1 })] }),
    ],
    [
      'unavailable',
      'CLI_RPC_UNREACHABLE',
      (f, m) => ({ args: [...words(f, m), '--rpc', f.down, '-f', f.deployments] }),
    ],
    ['io', 'DEVNET_DEPLOYMENTS_UNREADABLE', (f, m) => ({ args: [...words(f, m), '--rpc', f.rpc, '-f', f.missing] })],
  ]
}

// propose and ui name their deployments file --deployments only (no -f)
const propose = (f: Fixtures) => ['--rpc', f.rpc, '--deployments', f.deployments, '--journal', f.path('journal.json')]
const ui = (f: Fixtures) => ['--rpc', f.rpc, '--deployments', f.deployments, '-p', '0']
const openPool = (f: Fixtures, deployments: string) => [
  ...['pay', 'open-pool', '--rpc', f.rpc, '--price', '0.001 ETH', '--stake', '0.1 ETH', '-f', deployments],
]
const payer = (f: Fixtures) => ({ ...withPassword, HERMIT_PRIVATE_KEY: f.key(1) })
const depositArgs = (f: Fixtures, pool: string, keystore: string) => [
  ...['pay', 'deposit', '--rpc', f.rpc, '--pool', pool, '-n', '2', '-k', keystore, '-t', f.path('tickets.json')],
]
const fetchArgs = (f: Fixtures, url: string, keystore: string, tickets: string) => [
  ...['pay', 'fetch', url, '--rpc', f.rpc, '-k', keystore, '-t', tickets],
]
const proxyArgs = (f: Fixtures, m: Made) => [
  ...['pay', 'proxy', '--rpc', f.rpc, '--gateway', m.gateway!, '-k', m.keystore!, '-t', m.tickets!],
  ...['--port', '0', '--precompute', '0', '--min-anonymity', '0'],
]
const gatewayArgs = (f: Fixtures, pool: string) => [
  ...['gateway', '--rpc', f.rpc, '--pool', pool, '--upstream', 'http://127.0.0.1:9', '--port', '0'],
  ...['--store', `sqlite:${f.path('nullifiers.sqlite')}`, '--workers', '1'],
]

/** Every leaf command (nested ones by their words: "pay init"), as `hermit <words> --help` would name it. */
function leaves(command: Command, words: string[] = []): string[] {
  if (command.commands.length === 0) return [words.join(' ')]
  return command.commands.flatMap((c) => leaves(c, [...words, c.name()]))
}

/** --json on a command line: before `--` (what follows it is another program's). */
const withJson = (args: string[]) =>
  args.includes('--json')
    ? args
    : args.includes('--')
      ? [...args.slice(0, args.indexOf('--')), '--json', ...args.slice(args.indexOf('--'))]
      : [...args, '--json']

/** stdout is one JSON document and nothing else. */
function onlyJson(r: HermitRun, what: string): Record<string, unknown> & { error?: Record<string, unknown> } {
  const lines = r.stdout.split('\n').filter((l) => l !== '')
  expect(lines, `${what}: stdout ${r.stdout}\nstderr ${r.stderr}`).toHaveLength(1)
  expect(r.stdout.endsWith('\n'), what).toBe(true)
  return JSON.parse(lines[0]!) as Record<string, unknown>
}

/** Every stdout line of a stdio MCP server is a JSON-RPC message: parsed, each one. */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  const lines = stdout.split('\n').filter((l) => l !== '')
  expect(lines.length).toBeGreaterThan(0)
  return lines.map((l) => {
    const message = JSON.parse(l) as Record<string, unknown>
    expect(message.jsonrpc, l).toBe('2.0')
    return message
  })
}

/**
 * A stdio MCP server as its client starts it: one `initialize` on stdin, its answer read, stdin
 * closed (the server stops on that); resolves with all it printed once it has exited.
 */
function stdioServer(args: string[], env: Record<string, string> = {}): Promise<HermitRun> {
  const child = spawn(process.execPath, [HERMIT_BIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: '', ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c) => (stdout += c))
  child.stderr.on('data', (c) => (stderr += c))
  const exited = new Promise<HermitRun>((r) => child.on('exit', (code) => r({ code, stdout, stderr })))
  createInterface({ input: child.stdout }).once('line', () => child.stdin.end())
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000)
  void exited.then(() => clearTimeout(kill))
  child.stdin.write(
    `${JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'json-every', version: '0' } },
    })}\n`,
  )
  return exited
}

function fixtures(): Fixtures {
  const d = net()
  let n = 0
  const path = (name: string) => join(dir, `${++n}-${name}`)
  const deployments = path('deployments.json')
  writeDeployments(deployments, d.deployments)
  const notJson = path('not-json.json')
  writeFileSync(notJson, 'this is not JSON {')
  return {
    d,
    rpc: d.rpcUrl,
    down: 'http://127.0.0.1:1',
    deployments,
    missing: join(dir, 'no-such-folder', 'no-such-file.json'),
    notJson,
    path,
    address: (i) => d.accounts[i]!.address,
    key: (i) => toHex(d.accounts[i]!.getHdKey().privateKey!),
  }
}

describe('--json on every command: one JSON document on stdout, on success and on every kind of error', () => {
  it('every leaf command has a row in this file (a new command without one fails here), and every row a command', () => {
    const all = leaves(buildProgram().program)
    expect(all).toEqual(expect.arrayContaining(['devnet', 'pay init', 'pay proxy', 'jobs refund', 'mcp-guard']))
    expect(Object.keys(rows).sort()).toEqual([...all].sort())
  })

  for (const [name, row] of Object.entries(rows)) {
    const kinds = [...new Set([...row.errors, ...(row.after ?? [])].map(([kind]) => kind))].join(', ')
    it(`hermit ${name} --json: success, and ${kinds}`, async () => {
      const f = fixtures()
      const m = (await row.setup?.(f)) ?? {}
      const expectError = async ([kind, code, make, says]: ErrorCase) => {
        const { args, env } = make(f, m)
        const what = `hermit ${withJson(args).join(' ')} (${kind})`
        const r = await hermitInProcess(withJson(args), { ...(env ? { env } : {}) })
        const body = onlyJson(r, what)
        expect(r.code, `${what}: ${r.stdout}`).toBe(STATUS[kind])
        expect(body.error, what).toMatchObject({
          code,
          message: expect.stringMatching(/\S/),
          hint: expect.stringMatching(/\S/),
        })
        if (says) expect(body.error!.message, what).toMatch(says)
      }
      for (const e of row.errors) await expectError(e)
      await row.before?.(f, m)
      const { args, env } = row.success(f, m)
      const what = `hermit ${withJson(args).join(' ')}`
      if (row.how === 'stdio') {
        const r = await stdioServer(withJson(args), env)
        expect(r.code, `${what}: ${r.stderr}`).toBe(0)
        expect(jsonLines(r.stdout), what).toContainEqual(expect.objectContaining({ id: 1, result: expect.anything() }))
      } else {
        const r = await hermitInProcess(withJson(args), {
          ...(env ? { env } : {}),
          stopAfterFirstLine: row.how === 'server',
        })
        const doc = onlyJson(r, what)
        expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(ExitCode.ok)
        expect(doc.error, what).toBeUndefined()
        await row.check?.(doc, f, m)
      }
      for (const e of row.after ?? []) await expectError(e)
    })
  }
})
