import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { deployTestbed, type Testbed } from '@hermit/txguard/testing'
import { ExitCode } from './exit.ts'
import { HERMIT_BIN as bin, runHermit } from './testing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-verify-'))
const net = useDevnet()
let bed: Testbed
let policyFile: string

const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x))

const hermit = (args: string[], stdin?: string) =>
  runHermit(args, { env: { HERMIT_MODEL: 'none' }, ...(stdin === undefined ? {} : { stdin }) })

beforeAll(async () => {
  bed = await deployTestbed(net())
  policyFile = join(dir, 'policy.json')
  writeFileSync(policyFile, json(bed.policy))
})

describe('hermit verify', () => {
  it('exits 2 with a JSON report for a drainer, and 0 for a benign swap (from stdin)', async () => {
    const drainer = join(dir, 'drainer.json')
    writeFileSync(drainer, json(bed.scenarios['approval-drainer']!.request))
    const blocked = await hermit([
      'verify',
      '--rpc',
      net().rpcUrl,
      '--intent',
      'claim my reward',
      '--policy',
      policyFile,
      '--json',
      drainer,
    ])
    expect(blocked.code, blocked.stderr + blocked.stdout).toBe(ExitCode.block)
    const report = JSON.parse(blocked.stdout)
    expect(report.verdict).toBe('block')
    expect(report.reasons.map((r: { id: string }) => r.id)).toContain('approval.to-eoa')
    expect(report.model.consulted).toBe(false)

    const swap = await hermit(
      ['verify', '--rpc', net().rpcUrl, '--intent', 'swap 100 USDC for WETH', '--policy', policyFile, '-'],
      json(bed.scenarios['benign-swap']!.request),
    )
    expect(swap.code, swap.stderr).toBe(ExitCode.ok)
    expect(swap.stdout).toMatch(/^ALLOW/)
    expect(swap.stdout).toMatch(/Asset changes \(simulated\)/)
    expect(swap.stdout).toMatch(/-100 USDC/)
    expect(swap.stdout).toMatch(/no model consulted/)
  })

  it('reads --intent through --address-book and --tokens, says "your intent as read" in text and --json, and keeps a --record', async () => {
    const bob = net().accounts[4]!.address
    const book = join(dir, 'book.json')
    const tokens = join(dir, 'tokens.json')
    const record = join(dir, 'signed.json')
    writeFileSync(book, json({ bob }))
    writeFileSync(tokens, json({ dUSD: bed.tokens.dUSD }))
    const request = join(dir, 'pay-bob.json')
    writeFileSync(
      request,
      json({
        chainId: net().chainId,
        from: bed.user.address,
        to: bed.tokens.dUSD,
        value: '0',
        data: encodeFunctionData({ abi: devTokenAbi, functionName: 'transfer', args: [bob, 15_000_000n] }),
      }),
    )
    const args = ['verify', '--rpc', net().rpcUrl, '--address-book', book, '--tokens', tokens, '--record', record]
    const text = await hermit([...args, '--intent', 'pay bob 15 dUSD', request])
    expect(text.code, text.stderr + text.stdout).toBe(ExitCode.ok)
    expect(text.stdout).toMatch(/Your intent as read: send 15 DUSD to bob \(by the parser\)/)
    expect(text.stdout).not.toMatch(/counterparty\.unexpected-recipient/)
    const asJson = await hermit([...args, '--intent', 'pay bob 20 dUSD', '--json', request])
    expect(asJson.code, asJson.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(asJson.stdout).intent).toMatchObject({
      asRead: 'send 20 DUSD to bob (by the parser)',
      reader: 'parser',
    })
    const tooMuch = await hermit([...args, '--intent', 'pay bob 5 dUSD', '--json', request])
    expect(tooMuch.code).toBe(ExitCode.block)
    expect(JSON.parse(tooMuch.stdout).reasons.map((r: { id: string }) => r.id)).toContain('intent.mismatch')
    expect(JSON.parse(readFileSync(record, 'utf8')).entries).toHaveLength(3)
    const badBook = join(dir, 'bad-book.json')
    writeFileSync(badBook, json({ bob: 'not an address' }))
    const bad = await hermit(['verify', '--rpc', net().rpcUrl, '--address-book', badBook, request])
    expect(bad.code).toBe(ExitCode.dataError)
    expect(bad.stderr).toMatch(/entry bob: not an address/)
  }, 120_000) // several CLI processes, each starting tsx: slow on a loaded machine

  it('bad input gets clear errors and statuses', async () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ chainId: 31337, from: 'me' }))
    const r = await hermit(['verify', '--rpc', net().rpcUrl, bad])
    expect(r.code).toBe(ExitCode.dataError)
    expect(r.stderr).toMatch(/field from: not an address/)
    expect((await hermit(['verify', '--rpc', 'nope', bad])).code).toBe(ExitCode.usage)
    expect((await hermit(['verify', '--rpc', net().rpcUrl, '--model', 'gpt', bad])).code).toBe(ExitCode.usage)
    const notJson = await hermit(['verify', '--rpc', net().rpcUrl, '-'], '{oops')
    expect(notJson.code).toBe(ExitCode.dataError)
  }, 120_000) // several CLI processes, each starting tsx: slow on a loaded machine
})

describe('hermit guard', () => {
  it('proxies a wallet RPC and refuses what is blocked', async () => {
    const { createInterface } = await import('node:readline')
    const child = spawn(
      process.execPath,
      [bin, 'guard', '--upstream', net().rpcUrl, '--port', '0', '--policy', policyFile, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve)
      void exited.then((c) => reject(new Error(`guard exited early (${c})`)))
    })
    const { url } = JSON.parse(line) as { url: string }
    const call = async (method: string, params: unknown[]) =>
      (await (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: json({ jsonrpc: '2.0', id: 1, method, params }),
        })
      ).json()) as { result?: string; error?: { code: number } }
    expect((await call('eth_chainId', [])).result).toBe('0x7a69')
    const d = bed.scenarios['fake-airdrop']!.request as { from: string; to: string; data: string }
    expect((await call('eth_sendTransaction', [{ from: d.from, to: d.to, data: d.data }])).error?.code).toBe(-32003)
    const s = bed.scenarios['benign-approve']!.request as { from: string; to: string; data: string }
    expect((await call('eth_sendTransaction', [{ from: s.from, to: s.to, data: s.data }])).result).toMatch(
      /^0x[0-9a-f]{64}$/,
    )
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })
})
