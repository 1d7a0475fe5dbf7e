import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createWalletClient, encodeFunctionData, erc20Abi, http, maxUint256 } from 'viem'
import { useDevnet } from '@hermit/devnet/testing'
import { startGuardProxy, type GuardProxy } from './proxy.ts'
import { SigningRecord } from './record.ts'
import { deployTestbed, type Testbed } from './testing/index.ts'

const net = useDevnet()
let bed: Testbed
let proxy: GuardProxy
const checked: string[] = []

beforeAll(async () => {
  bed = await deployTestbed(net())
  proxy = await startGuardProxy({
    upstream: net().rpcUrl,
    simulation: net().publicClient,
    policy: bed.policy,
    onCheck: (m, r) => checked.push(`${m}:${r.verdict}`),
  })
})
afterAll(() => proxy.close())

async function rpc(body: unknown): Promise<any> {
  const res = await fetch(proxy.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return res.json()
}

describe('hermit guard: a JSON-RPC proxy in front of a wallet', () => {
  it('forwards ordinary calls, batches too', async () => {
    const one = await rpc({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] })
    expect(one.result).toBe('0x7a69')
    const batch = await rpc([
      { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
      { jsonrpc: '2.0', id: 2, method: 'eth_blockNumber', params: [] },
    ])
    expect(batch.map((r: { id: number }) => r.id)).toEqual([1, 2])
  })

  it('lets a benign eth_sendTransaction through and refuses a drainer', async () => {
    const s = bed.scenarios['benign-swap']!.request as { to: string; data: string }
    const ok = await rpc({
      jsonrpc: '2.0',
      id: 3,
      method: 'eth_sendTransaction',
      params: [{ from: bed.user.address, to: s.to, data: s.data }],
    })
    expect(ok.result).toMatch(/^0x[0-9a-f]{64}$/)
    const d = bed.scenarios['approval-drainer']!.request as { to: string; data: string }
    const refused = await rpc({
      jsonrpc: '2.0',
      id: 4,
      method: 'eth_sendTransaction',
      params: [{ from: bed.user.address, to: d.to, data: d.data }],
    })
    expect(refused.error.code).toBe(-32003)
    expect(refused.error.message).toMatch(/Hermit refused \(block\)/)
    expect(refused.error.data.reasons.map((r: { id: string }) => r.id)).toContain('approval.to-eoa')
  })

  it('checks signed raw transactions and typed-data signatures', async () => {
    const wallet = createWalletClient({ account: bed.user, chain: net().chain, transport: http(proxy.url) })
    const d = bed.scenarios['address-poisoning']!.request as { to: `0x${string}`; data: `0x${string}` }
    await expect(wallet.sendTransaction({ to: d.to, data: d.data })).rejects.toThrow(/Hermit refused/)
    const p = bed.scenarios['permit2-drain']!.request as { typedData: unknown }
    const refused = await rpc({
      jsonrpc: '2.0',
      id: 5,
      method: 'eth_signTypedData_v4',
      params: [bed.user.address, JSON.stringify(p.typedData)],
    })
    expect(refused.error.code).toBe(-32003)
    const blind = await rpc({
      jsonrpc: '2.0',
      id: 6,
      method: 'eth_sign',
      params: [bed.user.address, `0x${'ab'.repeat(32)}`],
    })
    expect(blind.error.data.reasons[0].id).toBe('sign.raw-hash')
    expect(checked).toEqual(
      expect.arrayContaining(['eth_sendRawTransaction:block', 'eth_signTypedData_v4:block', 'eth_sign:block']),
    )
  })

  it('cannot be fooled by extra fields, other signing methods or eth_signTransaction', async () => {
    const d = bed.scenarios['approval-drainer']!.request as { to: string; data: string }
    const injected = await rpc({
      jsonrpc: '2.0',
      id: 10,
      method: 'eth_sendTransaction',
      params: [
        { from: bed.user.address, to: d.to, data: d.data, kind: 'raw-sign', method: 'personal_sign', message: '0x00' },
      ],
    })
    expect(injected.error.code).toBe(-32003)
    const signed = await rpc({
      jsonrpc: '2.0',
      id: 11,
      method: 'eth_signTransaction',
      params: [{ from: bed.user.address, to: d.to, data: d.data }],
    })
    expect(signed.error.message).toMatch(/Hermit refused \(block\)/)
    for (const method of ['eth_signTypedData', 'wallet_sendCalls', 'personal_ecRecoverAndSign']) {
      const r = await rpc({ jsonrpc: '2.0', id: 12, method, params: [] })
      expect(r.error, method).toMatchObject({ code: -32003, message: expect.stringMatching(/cannot check/) })
    }
    const p = bed.scenarios['permit2-drain']!.request as { typedData: unknown }
    expect(
      (await rpc({ jsonrpc: '2.0', id: 13, method: 'eth_signTypedData_v3', params: [bed.user.address, p.typedData] }))
        .error.code,
    ).toBe(-32003)
  })

  it('keeps a signing record: what it forwarded is marked signed, what it refused is only checked', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hermit-guard-record-')), 'signed.json')
    const record = new SigningRecord(path)
    const recording = await startGuardProxy({
      upstream: net().rpcUrl,
      simulation: net().publicClient,
      policy: bed.policy,
      record,
    })
    try {
      const send = async (tx: { to: string; data: string }): Promise<any> =>
        (
          await fetch(recording.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              method: 'eth_sendTransaction',
              params: [{ from: bed.user.address, to: tx.to, data: tx.data }],
            }),
          })
        ).json()
      const ok = await send(bed.scenarios['benign-swap']!.request as { to: string; data: string })
      expect(ok.result).toMatch(/^0x/)
      const refused = await send(bed.scenarios['approval-drainer']!.request as { to: string; data: string })
      expect(refused.error.code).toBe(-32003)
      const entries = JSON.parse(readFileSync(path, 'utf8')).entries as Array<{ signed: boolean; verdict: string }>
      expect(entries.filter((e) => e.signed).map((e) => e.verdict)).toEqual(['allow'])
      expect(entries.filter((e) => !e.signed).map((e) => e.verdict)).toEqual(['allow', 'block'])
      expect(record.counterparties(net().chainId, bed.user.address)).toContain(bed.contracts.uniswapV2Router)
    } finally {
      await recording.close()
    }
  })

  it('answers malformed input with JSON-RPC errors', async () => {
    expect((await rpc('{not json')).error.code).toBe(-32700)
    expect((await rpc({ jsonrpc: '2.0', id: 7 })).error.code).toBe(-32600)
    expect(
      (await rpc({ jsonrpc: '2.0', id: 8, method: 'eth_sendRawTransaction', params: ['0x1234'] })).error.code,
    ).toBe(-32602)
    const unparseable = await rpc({
      jsonrpc: '2.0',
      id: 9,
      method: 'eth_sendTransaction',
      params: [{ from: 'me', to: '0x1' }],
    })
    expect(unparseable.error).toMatchObject({ code: -32003, message: expect.stringMatching(/could not check/) })
  })
})

describe('hermit guard: decide() holds a warn', () => {
  it('waits for decide() on a warn: allow forwards it, refuse or a throw refuses it; a block is refused without asking', async () => {
    const asked: Array<{ method: string; verdict: string; origin: string | null }> = []
    const answers: Array<(a: 'allow' | 'refuse') => void> = []
    let failNext = false
    const held = await startGuardProxy({
      upstream: net().rpcUrl,
      simulation: net().publicClient,
      policy: bed.policy,
      decide: (c) => {
        asked.push({ method: c.method, verdict: c.report.verdict, origin: c.origin })
        if (failNext) return Promise.reject(new Error('the page went away'))
        return new Promise((resolve) => answers.push(resolve))
      },
    })
    try {
      // an unlimited allowance to the real Uniswap router: a contract the user deals with, so a warn, not a block
      const approve = encodeFunctionData({
        abi: erc20Abi,
        functionName: 'approve',
        args: [bed.contracts.uniswapV2Router, maxUint256],
      })
      const send = async (to: string, data: string): Promise<any> =>
        (
          await fetch(held.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: 'https://dapp.example' },
            body: JSON.stringify({
              jsonrpc: '2.0',
              id: 1,
              method: 'eth_sendTransaction',
              params: [{ from: bed.user.address, to, data }],
            }),
          })
        ).json()
      const nonce = () => net().publicClient.getTransactionCount({ address: bed.user.address })
      const before = await nonce()
      let settled = false
      const allowed = send(bed.tokens.USDC, approve).finally(() => (settled = true))
      await vi.waitFor(() => expect(answers).toHaveLength(1), { timeout: 20_000, interval: 20 })
      expect(asked[0]).toEqual({ method: 'eth_sendTransaction', verdict: 'warn', origin: 'https://dapp.example' })
      // held: nothing forwarded while the question is open
      expect(settled).toBe(false)
      expect(await nonce()).toBe(before)
      answers[0]!('allow')
      expect((await allowed).result).toMatch(/^0x[0-9a-f]{64}$/)
      expect(await nonce()).toBe(before + 1)

      const refusing = send(bed.tokens.USDC, approve)
      await vi.waitFor(() => expect(answers).toHaveLength(2), { timeout: 20_000, interval: 20 })
      answers[1]!('refuse')
      expect((await refusing).error).toMatchObject({ code: -32003, message: expect.stringMatching(/not allowed/) })
      failNext = true
      expect((await send(bed.tokens.USDC, approve)).error.code).toBe(-32003)
      expect(await nonce()).toBe(before + 1)

      const d = bed.scenarios['approval-drainer']!.request as { to: string; data: string }
      const blocked = await send(d.to, d.data)
      expect(blocked.error.message).toMatch(/Hermit refused \(block\)/)
      expect(asked.map((a) => a.verdict)).toEqual(['warn', 'warn', 'warn'])
    } finally {
      await held.close()
    }
  })
})
