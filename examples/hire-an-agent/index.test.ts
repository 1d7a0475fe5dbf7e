import { describe, expect, it } from 'vitest'
import { parseUnits } from 'viem'
import { useDevnet } from '@hermit/devnet/testing'
import { hireAnAgent } from './index.ts'

const net = useDevnet()
const usd = (v: string) => parseUnits(v, 6)

describe('examples/hire-an-agent', () => {
  it('tells the three stories with the money where it belongs, then a one-shot anonymous call', async () => {
    const lines: string[] = []
    const { stories, oneShot } = await hireAnAgent(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) })
    expect(stories.map((s) => s.result.status)).toEqual(['Completed', 'Rejected', 'Expired'])
    expect(stories.map((s) => s.result.bond.to)).toEqual(['provider', 'client', 'client'])
    const moved = stories.map((s) => [s.after.client! - s.before.client!, s.after.provider! - s.before.provider!])
    expect(moved).toEqual([
      [-usd('5'), usd('5')],
      [usd('1'), -usd('1')],
      [usd('1'), -usd('1')],
    ])
    for (const s of stories) expect([s.after.escrow, s.after.hook]).toEqual([0n, 0n])
    expect(lines.some((l) => l.includes('weighted average 50'))).toBe(true)
    expect(lines.some((l) => l.includes('no model consulted'))).toBe(true)
    expect(oneShot.status).toBe(200)
    expect(oneShot.text.length).toBeGreaterThan(20)
  }, 120_000)
})
