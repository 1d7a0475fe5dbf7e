// Contract age and activity on a node that keeps no old state: a real anvil with `--prune-history 64`
// and thousands of mined blocks, and a JSON-RPC filter in front of it that refuses what many RPCs refuse.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createPublicClient,
  encodeFunctionData,
  getAddress,
  http,
  maxUint256,
  type Address,
  type Hex,
  type Chain,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import { devTokenAbi, devTokenBytecode } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { contractActivity } from './activity.ts'
import { contractAge, isRecent, type ContractAge } from './age.ts'
import { ContractFacts } from './facts.ts'
import { formatReport } from './report.ts'
import { devTokenPermit } from './testing/index.ts'
import { verify } from './verify.ts'

type Client = PublicClient<Transport, Chain>

/** State kept by the node, blocks mined beyond it, and the policy's "recent" line: window < recent < mined. */
const STATE_WINDOW = 64
const RECENT = 1_000
const MINED = 2_500

const net = useDevnet({ pruneHistory: STATE_WINDOW })

let busy: { address: Address; createdAt: bigint; firstLog: bigint }
let quiet: { address: Address; createdAt: bigint }
let fresh: { address: Address; createdAt: bigint }
let dUSD: Address
let user: LocalAccount
const users: LocalAccount[] = []

/**
 * The receipt of a sent transaction, asked for directly until it is there. Not viem's
 * waitForTransactionReceipt: it looks again only when a new block appears, and on this pruned
 * node, with automine and nothing else sent, a receipt not yet indexed when its block was first
 * seen (once, in a loaded CI run) left it waiting 180 s for a block that never came.
 */
async function receiptOf(hash: Hex): Promise<TransactionReceipt> {
  const { publicClient } = net()
  const until = Date.now() + 60_000
  for (;;) {
    const r = await publicClient.getTransactionReceipt({ hash }).catch(() => null)
    if (r) return r
    if (Date.now() > until) throw new Error(`No receipt for ${hash} after 60 s.`)
    await new Promise((ok) => setTimeout(ok, 10))
  }
}

async function deployToken(account: LocalAccount, name: string): Promise<{ address: Address; createdAt: bigint }> {
  const d = net()
  const hash = await d.walletFor(account).deployContract({
    abi: devTokenAbi,
    bytecode: devTokenBytecode,
    args: [name, name.slice(0, 4).toUpperCase(), 18, 10n ** 30n],
  })
  const r = await receiptOf(hash)
  return { address: getAddress(r.contractAddress!), createdAt: r.blockNumber }
}

async function write(
  account: LocalAccount,
  address: Address,
  functionName: 'mint' | 'approve',
  args: [Address, bigint],
) {
  const d = net()
  const hash = await d.walletFor(account).writeContract({ address, abi: devTokenAbi, functionName, args })
  return (await receiptOf(hash)).blockNumber
}

beforeAll(async () => {
  const d = net()
  const deployer = d.accounts[0]!
  user = d.accounts[1]!
  users.push(...d.accounts.slice(2, 7))
  dUSD = d.deployments.contracts.DevToken!.address
  // long before the window: a contract with a log of its own, and a quiet one that never logs
  const b = await deployToken(deployer, 'Busy Router')
  busy = { ...b, firstLog: await write(deployer, b.address, 'mint', [deployer.address, 1n]) }
  quiet = await deployToken(deployer, 'Quiet Vault')
  // in chunks: one anvil_mine of thousands of blocks outlasts an HTTP timeout on a loaded machine
  for (let left = MINED; left > 0; left -= 250) await d.testClient.mine({ blocks: Math.min(250, left) })
  // lately, five accounts used the busy one
  for (const u of users) await write(u, dUSD, 'approve', [busy.address, 1_000n])
  fresh = await deployToken(deployer, 'Fresh Drainer')
}, 240_000)

const policy = () => ({ recentBlocks: RECENT, tokens: { dUSD } })
const approve = (spender: Address) => ({
  chainId: net().chainId,
  from: user.address,
  to: dUSD,
  value: '0',
  data: encodeFunctionData({ abi: devTokenAbi, functionName: 'approve', args: [spender, maxUint256] }),
})
const permit = (spender: Address) => ({
  chainId: net().chainId,
  from: user.address,
  typedData: devTokenPermit(net().chainId, dUSD, {
    owner: user.address,
    spender,
    value: '5000000',
    nonce: '0',
    deadline: '99999999999',
  }),
})

async function ageOf(client: Client, address: Address, facts: ContractFacts) {
  const latest = await client.getBlockNumber({ cacheTime: 0 })
  const query = { latest, recentBlocks: RECENT, deadline: Date.now() + 5_000, facts }
  const age = await contractAge(client, address, query)
  return { age, recent: isRecent(age, latest, RECENT), activity: await contractActivity(client, address, query) }
}

const ids = (report: { reasons: Array<{ id: string; severity: string }> }) =>
  report.reasons.filter((r) => r.severity !== 'info').map((r) => r.id)

/** What a node without the `ots_` namespace, archive state or logs answers: refused calls get a JSON-RPC error. */
type Refusal = (method: string, params: unknown[]) => { code: number; message: string } | 'hang' | null
type RpcFilter = { url: string; client: Client; calls: string[]; close(): Promise<void> }

async function startRpcFilter(upstream: string, refuse: Refusal): Promise<RpcFilter> {
  const calls: string[] = []
  type Call = { id: unknown; method: string; params?: unknown[] }
  const answer = async (call: Call) => {
    // a numbered block's code is a look-up into old state: recorded with its block
    calls.push(
      call.method === 'eth_getCode' && call.params?.[1] !== 'latest' ? `eth_getCode@${call.params?.[1]}` : call.method,
    )
    const refused = refuse(call.method, call.params ?? [])
    if (refused === 'hang') return new Promise<never>(() => {})
    if (refused) return { jsonrpc: '2.0', id: call.id, error: refused }
    const res = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(call),
    })
    return res.json()
  }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8').on('data', (c: string) => (body += c))
    req.on('end', async () => {
      const parsed = JSON.parse(body) as Call | Call[]
      const out = Array.isArray(parsed) ? await Promise.all(parsed.map(answer)) : await answer(parsed)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(out))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const client = createPublicClient({ chain: net().chain, transport: http(url, { retryCount: 0 }), cacheTime: 0 })
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r())
      server.closeAllConnections()
    })
  return { url, client, calls, close }
}

const noOts: Refusal = (method) =>
  method.startsWith('ots_') ? { code: -32601, message: `the method ${method} does not exist/is not available` } : null
/** Only the latest state, as a light or badly pruned node: any numbered block's code is "missing trie node". */
const latestStateOnly: Refusal = (method, params) =>
  noOts(method, params) ??
  (method === 'eth_getCode' && params[1] !== 'latest' ? { code: -32000, message: 'missing trie node' } : null)
const nothing: Refusal = (method, params) =>
  latestStateOnly(method, params) ??
  (method === 'eth_getLogs' ? { code: -32005, message: 'eth_getLogs is not served by this endpoint' } : null)

describe(`a node that keeps ${STATE_WINDOW} blocks of state, ${MINED} blocks mined`, () => {
  it('really keeps no old state: eth_getCode of a block before the window is refused', async () => {
    const { publicClient } = net()
    const latest = await publicClient.getBlockNumber()
    expect(latest).toBeGreaterThan(BigInt(MINED))
    await expect(publicClient.getCode({ address: busy.address, blockNumber: latest - 100n })).rejects.toThrow(
      /BlockOutOfRange/,
    )
    expect(await publicClient.getCode({ address: busy.address, blockNumber: latest - 10n })).toMatch(/^0x6080/)
  })

  it('ots answers: a contract deployed before the window and used by five accounts is old and active', async () => {
    const found = await ageOf(net().publicClient, busy.address, new ContractFacts())
    expect(found.age).toMatchObject({ status: 'exact', createdAt: busy.createdAt, method: 'ots' })
    expect(found.recent).toBe(false)
    expect(found.activity).toMatchObject({ status: 'counted', accounts: 5, atLeast: false })
  })

  it('ots answers: one deployed just now, with no activity, is new', async () => {
    const found = await ageOf(net().publicClient, fresh.address, new ContractFacts())
    expect(found.age).toMatchObject({ status: 'exact', createdAt: fresh.createdAt, method: 'ots' })
    expect(found.recent).toBe(true)
    expect(found.activity).toMatchObject({ status: 'counted', accounts: 0 })
  })

  it('verify: an unlimited approval to the new contract is blocked, to the old busy one it only warns', async () => {
    const client = net().publicClient
    const facts = new ContractFacts()
    const toFresh = await verify(approve(fresh.address), { client, policy: policy(), facts })
    expect(toFresh.verdict, formatReport(toFresh)).toBe('block')
    expect(ids(toFresh)).toContain('approval.to-new-contract')
    expect(toFresh.reasons.find((r) => r.id === 'approval.to-new-contract')!.message).toMatch(
      new RegExp(`created in block ${fresh.createdAt} \\(per ots_getContractCreator\\)`),
    )
    expect(toFresh.accounts[fresh.address]).toMatchObject({ recent: true, age: { method: 'ots' } })
    expect(toFresh.summary.join('\n')).toMatch(/0 accounts approved it or sent it tokens/)

    const toBusy = await verify(approve(busy.address), { client, policy: policy(), facts })
    expect(toBusy.verdict, formatReport(toBusy)).toBe('warn')
    expect(ids(toBusy)).not.toContain('approval.to-new-contract')
    expect(ids(toBusy)).not.toContain('approval.to-unknown-contract')
    expect(toBusy.accounts[busy.address]).toMatchObject({ recent: false, activity: { accounts: 5 } })
  })

  it('answers are cached per chain: a second look-up, even from another client on the chain, asks nothing', async () => {
    const facts = new ContractFacts()
    await ageOf(net().publicClient, busy.address, facts)
    const filter = await startRpcFilter(net().rpcUrl, () => null)
    try {
      const again = await ageOf(filter.client, busy.address, facts)
      expect(again.age).toMatchObject({ status: 'exact', method: 'ots' })
      expect(again.activity).toMatchObject({ accounts: 5 })
      // the block number, and the genesis block that names the chain: nothing about the contract
      expect(filter.calls.filter((m) => !['eth_blockNumber', 'eth_getBlockByNumber'].includes(m))).toEqual([])
    } finally {
      await filter.close()
    }
  })

  it('the cache is bounded: the least recently used contract is forgotten first', async () => {
    const facts = new ContractFacts({ maxContracts: 2 })
    const client = net().publicClient
    for (const a of [busy.address, quiet.address, fresh.address]) await ageOf(client, a, facts)
    expect(facts.size(await facts.chainOf(client))).toBe(2)
    expect(() => new ContractFacts({ maxContracts: 0 })).toThrow(/maxContracts/)
  })
})

describe('with ots_ refused (a proxy answering -32601)', () => {
  let filter: RpcFilter
  beforeAll(async () => {
    filter = await startRpcFilter(net().rpcUrl, noOts)
  })
  afterAll(() => filter.close())

  it('the eth_getCode search finds the new contract exactly: the same answer as ots', async () => {
    const found = await ageOf(filter.client, fresh.address, new ContractFacts())
    expect(found.age).toMatchObject({ status: 'exact', createdAt: fresh.createdAt, method: 'code-search' })
    expect(found.recent).toBe(true)
    expect((found.age as Extract<ContractAge, { status: 'exact' }>).tried[0]).toEqual({
      method: 'ots',
      said: expect.stringMatching(/refused: .*does not exist/),
    })
  })

  it('the old busy contract: older than the window by eth_getCode, old by its first log, and still active', async () => {
    const found = await ageOf(filter.client, busy.address, new ContractFacts())
    expect(found.age).toMatchObject({ status: 'bounded', createdBy: busy.firstLog, method: 'first-log' })
    expect(found.age.tried.map((t) => t.method)).toEqual(['ots', 'code-search', 'first-log'])
    // the window is anvil's 64 states, give or take the one a snapshot holds
    expect(found.age.tried[1]!.said).toMatch(/oldest whose state the node keeps \(6[4-6] blocks\)/)
    expect(found.recent).toBe(false)
    expect(found.activity).toMatchObject({ status: 'counted', accounts: 5 })
  })

  it('an unlimited approval to the new contract is still blocked', async () => {
    const report = await verify(approve(fresh.address), {
      client: filter.client,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(report.verdict, formatReport(report)).toBe('block')
    expect(ids(report)).toContain('approval.to-new-contract')
  })

  it('a quiet old contract (no logs, no use) has an unknown age: an unlimited approval to it warns and says why', async () => {
    const found = await ageOf(filter.client, quiet.address, new ContractFacts())
    expect(found.recent).toBeNull()
    expect(found.age.tried.at(-1)!.said).toMatch(/no log of it in blocks 0–/)
    const report = await verify(approve(quiet.address), {
      client: filter.client,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(report.verdict, formatReport(report)).toBe('warn')
    const finding = report.reasons.find((r) => r.id === 'approval.to-unknown-contract')!
    expect(finding.severity).toBe('warn')
    expect(finding.message).toMatch(/ots_getContractCreator: refused/)
    expect(finding.message).toMatch(/older than that window, which is too short to decide/)
    expect(finding.message).toMatch(/0 accounts approved it or sent it tokens .*fewer than the 5/)
    // where ots answers, the same contract is simply old
    const direct = await verify(approve(quiet.address), {
      client: net().publicClient,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(ids(direct)).not.toContain('approval.to-unknown-contract')
  })
})

describe('with eth_getCode of old blocks refused too (only the latest state is served)', () => {
  let filter: RpcFilter
  beforeAll(async () => {
    filter = await startRpcFilter(net().rpcUrl, latestStateOnly)
  })
  afterAll(() => filter.close())

  it('the first log still proves the busy contract old', async () => {
    const found = await ageOf(filter.client, busy.address, new ContractFacts())
    expect(found.age).toMatchObject({ status: 'bounded', createdBy: busy.firstLog, method: 'first-log' })
    expect(found.age.tried[1]).toEqual({
      method: 'code-search',
      said: "the node serves no state but the latest block's",
    })
    expect(found.recent).toBe(false)
  })

  it('the new contract, with no log, is unknown: its unlimited approval warns instead of passing', async () => {
    const found = await ageOf(filter.client, fresh.address, new ContractFacts())
    expect(found.age.status).toBe('unknown')
    const report = await verify(approve(fresh.address), {
      client: filter.client,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(report.verdict, formatReport(report)).toBe('warn')
    expect(ids(report)).toContain('approval.to-unknown-contract')
  })
})

describe('when nothing answers (no ots_, no old state, no eth_getLogs)', () => {
  let filter: RpcFilter
  beforeAll(async () => {
    filter = await startRpcFilter(net().rpcUrl, nothing)
  })
  afterAll(() => filter.close())

  it('the age and the activity are unknown, each with its reason', async () => {
    const found = await ageOf(filter.client, busy.address, new ContractFacts())
    expect(found.age).toEqual({
      status: 'unknown',
      tried: [
        { method: 'ots', said: expect.stringMatching(/refused: .*does not exist/) },
        { method: 'code-search', said: "the node serves no state but the latest block's" },
        {
          method: 'first-log',
          said: expect.stringMatching(/eth_getLogs refused blocks .*not served by this endpoint/),
        },
      ],
    })
    expect(found.recent).toBeNull()
    expect(found.activity).toEqual({ status: 'unknown', reason: expect.stringMatching(/eth_getLogs refused/) })
  })

  it('an unlimited approval to an unknown, inactive contract is a warning that says why', async () => {
    const report = await verify(approve(fresh.address), {
      client: filter.client,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(report.verdict, formatReport(report)).toBe('warn')
    const finding = report.reasons.find((r) => r.id === 'approval.to-unknown-contract')!
    // the node's refusal, or what an earlier look learned of it (ContractFacts remembers an unserved method)
    expect(finding.message).toMatch(
      /its age is unknown \(ots_getContractCreator: (refused: .*does not exist|not served by this node)/,
    )
    expect(finding.message).toMatch(/eth_getCode search: the node serves no state but the latest block's/)
    expect(finding.message).toMatch(/first log: eth_getLogs refused/)
    expect(finding.message).toMatch(/its use could not be counted/)
    expect(formatReport(report)).toMatch(/its age is unknown/)
  })

  it('so is a permit signature to it, whatever its amount', async () => {
    const report = await verify(permit(fresh.address), {
      client: filter.client,
      policy: policy(),
      facts: new ContractFacts(),
    })
    expect(report.verdict, formatReport(report)).toBe('warn')
    expect(ids(report)).toContain('approval.to-unknown-contract')
  })
})

describe('time', () => {
  it('a node that never answers ots_ costs at most half the look-up budget: the eth_getCode search still answers', async () => {
    const filter = await startRpcFilter(net().rpcUrl, (method) => (method.startsWith('ots_') ? 'hang' : null))
    try {
      const facts = new ContractFacts({ lookupTimeoutMs: 1_000 })
      const t0 = performance.now()
      const report = await verify(approve(fresh.address), { client: filter.client, policy: policy(), facts })
      // bounded by the budget, with slack for a loaded CI machine; the half-budget split itself is
      // shown by the code search still answering (`tried` below)
      expect(performance.now() - t0).toBeLessThan(3_000)
      expect(report.verdict, formatReport(report)).toBe('block')
      expect(report.accounts[fresh.address]!.age).toMatchObject({
        status: 'exact',
        createdAt: fresh.createdAt,
        method: 'code-search',
        tried: [{ method: 'ots', said: 'no answer within the time allowed' }, { method: 'code-search' }],
      })
    } finally {
      await filter.close()
    }
  })

  it('a node that never answers at all: unknown once the budget is spent, and a warning', async () => {
    const hangs: Refusal = (method, params) =>
      method.startsWith('ots_') || method === 'eth_getLogs' || (method === 'eth_getCode' && params[1] !== 'latest')
        ? 'hang'
        : null
    const filter = await startRpcFilter(net().rpcUrl, hangs)
    try {
      const facts = new ContractFacts({ lookupTimeoutMs: 500 })
      const t0 = performance.now()
      const report = await verify(approve(fresh.address), { client: filter.client, policy: policy(), facts })
      // bounded by the budget, with slack for a loaded CI machine; the half-budget split itself is
      // shown by the code search still answering (`tried` below)
      expect(performance.now() - t0).toBeLessThan(3_000)
      expect(report.verdict, formatReport(report)).toBe('warn')
      expect(ids(report)).toContain('approval.to-unknown-contract')
      expect(report.accounts[fresh.address]!.age).toMatchObject({ status: 'unknown' })
      expect(report.accounts[fresh.address]!.activity).toEqual({
        status: 'unknown',
        reason: 'no answer within the time allowed',
      })
    } finally {
      await filter.close()
    }
  })

  // the time itself is measured in `pnpm bench txguard` (verify() shares one cache per process, warmed
  // before timing); a test asserts only what makes it fast, so it cannot fail on a busy machine
  it('verify with a warm cache asks the chain nothing about age or activity', async () => {
    const facts = new ContractFacts()
    const request = approve(busy.address)
    await verify(request, { client: net().publicClient, policy: policy(), facts })
    // warm means no look-up at all: another client on the chain asks nothing about age or activity
    const filter = await startRpcFilter(net().rpcUrl, () => null)
    try {
      await verify(request, { client: filter.client, policy: policy(), facts })
      expect(filter.calls.filter((m) => /^(ots_|eth_getLogs|eth_getCode@|eth_getTransactionByHash)/.test(m))).toEqual(
        [],
      )
    } finally {
      await filter.close()
    }
  })
})
