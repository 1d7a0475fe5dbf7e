import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { proposeTx } from './index.ts'

const net = useDevnet({ world: 'defi' })

describe('examples/propose-tx', () => {
  it('sends an approve-then-swap on Uniswap V3 whose effects match, and refuses a blocked send; no model consulted', async () => {
    const lines: string[] = []
    const r = await proposeTx(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) })
    expect(r.swap.steps.map((s) => s.action.kind)).toEqual(['erc20.approve', 'swap.v3'])
    expect(r.sent.sent.map((s) => s.status)).toEqual(['success', 'success'])
    expect(r.sent.differences).toEqual([])
    expect(r.blocked.verdict).toBe('block')
    expect(r.refused).toBe('PROPOSER_BLOCKED')
    expect(lines.filter((l) => l.includes('No model was consulted'))).toHaveLength(4)
  })

  it('refuses a send to a look-alike of bob, and proposes and executes a transfer out of the Safe', async () => {
    const r = await proposeTx(net(), { step: () => {}, line: () => {} })
    expect(r.lookalike.verdict).toBe('block')
    expect(r.lookalike.reasons.map((x) => x.id)).toContain('recipient.lookalike')
    expect(r.lookalikeRefused).toBe('PROPOSER_BLOCKED')
    expect(r.safe.steps.map((s) => s.action.kind)).toEqual(['safe.exec'])
    expect(r.safe.verdict).toBe('allow')
    expect(r.safeSent.sent.map((s) => s.status)).toEqual(['success'])
    expect(r.safeSent.differences).toEqual([])
  })
})
