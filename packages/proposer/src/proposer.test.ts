import { parseUnits, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { createProposer } from './proposer.ts'
import type { Proposal } from './propose.ts'
import { fund, proposeOptions } from './testing/index.ts'

const net = useDevnet({ world: 'defi' })

const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
/** What the fork's simulation says the user receives of `token`. */
const received = (p: Proposal, token: Address) =>
  p.steps.at(-1)!.report.changes.find((c) => c.holder === user().address && c.asset === token)?.delta

describe('createProposer: one fork for many proposals', () => {
  it('reuses the fork, reverted between proposals: a first swap’s price impact never leaks into the next, even run concurrently', async () => {
    const usdc = defiWorld(net().deployments).tokens.USDC
    await using proposer = createProposer({ ...proposeOptions(net(), user()), venue: 'v2' })
    const first = await proposer.propose('swap 5 ETH for USDC')
    const [second, third] = await Promise.all([
      proposer.propose('swap 5 ETH for USDC'),
      proposer.propose('swap 5 ETH for USDC'),
    ])
    expect(proposer.forkUses).toEqual(['started', 'reverted', 'reverted'])
    // a 5 ETH swap on a 100 ETH pair moves the price by ~10 %: had the fork kept it, the next would get less
    expect(received(first, usdc)).toBeGreaterThan(0n)
    expect(received(second!, usdc)).toBe(received(first, usdc))
    expect(received(third!, usdc)).toBe(received(first, usdc))
  })

  it('resets the fork onto the new head when the chain moved, and sees its state', async () => {
    await using proposer = createProposer(proposeOptions(net(), user(), { bob: bob() }))
    await proposer.propose('send 0.1 ETH to bob')
    await fund(net(), user().address, { USDC: parseUnits('100', 6) })
    const p = await proposer.propose('send 40 USDC to bob')
    expect(p.verdict).toBe('allow')
    expect(proposer.forkUses).toEqual(['started', 'reset'])
  })

  it('a head at the same height with other content (the chain reverted and moved on) also resets: no stale state', async () => {
    await using proposer = createProposer(proposeOptions(net(), user(), { bob: bob() }))
    const snap = await net().snapshot()
    await fund(net(), user().address, { USDC: parseUnits('50', 6) })
    await proposer.propose('send 40 USDC to bob')
    await net().revert(snap)
    // the same block height again, now with 100 USDC: a fork left on the old block would hold 50 and revert
    await fund(net(), user().address, { USDC: parseUnits('100', 6) })
    const p = await proposer.propose('send 80 USDC to bob')
    expect(p.verdict).toBe('allow')
    expect(p.steps[0]!.report.simulation?.success).toBe(true)
    expect(proposer.forkUses).toEqual(['started', 'reset'])
  })
})
