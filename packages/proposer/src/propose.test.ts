import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erc20Abi, parseEther, parseUnits, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { propose } from './propose.ts'
import { readJournal, sendProposal } from './send.ts'
import { fund, proposeOptions } from './testing/index.ts'

const net = useDevnet({ world: 'defi' })

const journal = () => join(mkdtempSync(join(tmpdir(), 'hermit-proposer-')), 'journal.json')
const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address

async function balance(token: Address | 'native', holder: Address): Promise<bigint> {
  const { publicClient } = net()
  if (token === 'native') return publicClient.getBalance({ address: holder })
  return publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [holder] })
}

describe('propose: words → plan → checked on a fork', () => {
  it('sends ETH to an address-book name: one native transfer, allowed, no model consulted, lands as simulated', async () => {
    const p = await propose('send 0.5 ETH to bob', proposeOptions(net(), user(), { bob: bob() }))
    expect(p.steps.map((s) => s.action.kind)).toEqual(['native.transfer'])
    expect(p.verdict).toBe('allow')
    expect(p.reading.model.consulted).toBe(false)
    expect(p.reading.model.note).toMatch(/No model was consulted/)
    expect(p.steps[0]!.report.changes.find((c) => c.holder === user().address)?.delta).toBe(-parseEther('0.5'))
    const before = await balance('native', bob())
    const r = await sendProposal(p, { client: net().publicClient, account: user(), journal: journal() })
    expect(r.sent.map((s) => s.status)).toEqual(['success'])
    expect((await balance('native', bob())) - before).toBe(parseEther('0.5'))
    expect(r.differences).toEqual([])
  })

  it('sends USDC to an address-book name: one ERC-20 transfer, journaled, lands as simulated', async () => {
    const w = defiWorld(net().deployments)
    await fund(net(), user().address, { USDC: parseUnits('100', 6) })
    const send = await propose('send 40 USDC to bob', proposeOptions(net(), user(), { bob: bob() }))
    expect(send.steps.map((s) => s.action.kind)).toEqual(['erc20.transfer'])
    expect(send.verdict).toBe('allow')
    const j = journal()
    const r = await sendProposal(send, { client: net().publicClient, account: user(), journal: j })
    expect(await balance(w.tokens.USDC, bob())).toBe(parseUnits('40', 6))
    expect(r.differences).toEqual([])
    expect(readJournal(j).map((e) => e.status)).toEqual(['mined'])
  })

  it('a blocked plan cannot be sent: nothing is signed, the nonce does not move', async () => {
    const o = {
      ...proposeOptions(net(), user(), { bob: bob() }),
      policy: { outflowLimits: { native: parseEther('0.1') } },
    }
    const p = await propose('send 0.5 ETH to bob', o)
    expect(p.verdict).toBe('block')
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    const j = journal()
    expect(() => sendProposal(p, { client: net().publicClient, account: user(), journal: j, yes: true })).toThrow(
      expect.objectContaining({ code: 'PROPOSER_BLOCKED' }),
    )
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
    expect(readJournal(j)).toEqual([])
  })

  it('wrap: built as WETH9.deposit, allowed (WETH9 Deposit read as WETH arriving), lands as simulated', async () => {
    const w = defiWorld(net().deployments)
    const before = await balance(w.weth, user().address)
    const p = await propose('wrap 2 ETH', proposeOptions(net(), user()))
    expect(p.steps.map((s) => s.action.kind)).toEqual(['weth.wrap'])
    expect(p.reasons).toEqual([])
    expect(p.verdict).toBe('allow')
    const r = await sendProposal(p, { client: net().publicClient, account: user(), journal: journal() })
    expect(r.sent.map((s) => s.status)).toEqual(['success'])
    expect((await balance(w.weth, user().address)) - before).toBe(parseEther('2'))
  })

  it('approve-then-swap on real Uniswap V3: planned as two steps, checked as a sequence, lands above the minimum', async () => {
    const w = defiWorld(net().deployments)
    await fund(net(), user().address, { USDC: parseUnits('3000', 6) })
    const p = await propose('swap 3000 USDC for WETH, at least 0.9 WETH', {
      ...proposeOptions(net(), user()),
      venue: 'v3',
    })
    expect(p.steps.map((s) => s.action.kind)).toEqual(['erc20.approve', 'swap.v3'])
    const [approve, swap] = p.steps
    // exact: the approval is for the amount sold, to the router the swap calls
    expect(approve!.action).toMatchObject({ spender: w.uniswapV3.swapRouter, amount: parseUnits('3000', 6) })
    // the stricter of the user's bound (0.9 WETH) and the quote less the default 0.5 % slippage
    if (swap!.action.kind !== 'swap.v3') throw new Error('not a V3 swap')
    expect(swap!.action.minOut).toBeGreaterThanOrEqual(parseEther('0.9'))
    expect(swap!.action.recipient).toBe(user().address)
    // the swap was simulated after the approval: it moved the USDC (it would have reverted without it)
    expect(swap!.report.simulation?.success).toBe(true)
    expect(swap!.report.changes.find((c) => c.holder === user().address && c.asset !== 'native')?.delta).toBeDefined()
    expect(p.reasons).toEqual([])
    expect(p.verdict).toBe('allow')
    const r = await sendProposal(p, { client: net().publicClient, account: user(), journal: journal() })
    expect(r.sent.map((s) => s.status)).toEqual(['success', 'success'])
    expect(await balance(w.weth, user().address)).toBeGreaterThanOrEqual(parseEther('0.9'))
    expect(await balance(w.tokens.USDC, user().address)).toBe(0n)
    expect(r.differences).toEqual([])
  })

  it('swaps ETH for DAI on real Uniswap V2 with the default 0.5 % slippage, and the minimum is respected', async () => {
    const w = defiWorld(net().deployments)
    const p = await propose('swap 1 ETH for DAI', { ...proposeOptions(net(), user()), venue: 'v2' })
    expect(p.steps.map((s) => s.action.kind)).toEqual(['swap.v2'])
    expect(p.notes.join(' ')).toMatch(/0\.5 % slippage \(the default\)/)
    const swap = p.steps[0]!.action
    if (swap.kind !== 'swap.v2') throw new Error('not a V2 swap')
    const r = await sendProposal(p, { client: net().publicClient, account: user(), journal: journal() })
    expect(r.sent[0]!.status).toBe('success')
    const got = await balance(w.tokens.DAI, user().address)
    expect(got).toBeGreaterThanOrEqual(swap.minOut)
    // 1 ETH ≈ 3,000 DAI less the 0.3 % fee and the price impact on a 100 ETH pool
    expect(got).toBeGreaterThan(parseEther('2900'))
  })

  it('refuses a swap whose minimum the best quote cannot reach, before anything is simulated or signed', async () => {
    await fund(net(), user().address, { USDC: parseUnits('3000', 6) })
    const err = await propose('swap 3000 USDC for WETH, at least 2 WETH', proposeOptions(net(), user())).catch(
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ code: 'PROPOSER_MIN_OUT_UNREACHABLE' })
  })

  it('refuses an amount above the balance and an unlimited approval', async () => {
    const o = proposeOptions(net(), user(), { bob: bob() })
    await expect(propose('send 5 USDC to bob', o)).rejects.toMatchObject({ code: 'PROPOSER_INSUFFICIENT_BALANCE' })
    await expect(propose('approve unlimited USDC to bob', o)).rejects.toMatchObject({ code: 'PROPOSER_UNSUPPORTED' })
  })
})
