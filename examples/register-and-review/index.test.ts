import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { registerAndReview } from './index.ts'

const net = useDevnet()

describe('examples/register-and-review', () => {
  it('tells the story and the payment-proof filter removes the Sybil', async () => {
    const lines: string[] = []
    const r = await registerAndReview(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) })
    // everyone: Summarizer (4, 1 live) → 2, Translator (3, 5) → 4; payment-backed: only Carol's
    expect(r.without.map((x) => [x.count, x.value])).toEqual([
      [2n, 2n],
      [2n, 4n],
    ])
    expect(r.withProof.map((x) => [x.count, x.value])).toEqual([
      [1n, 4n],
      [1n, 3n],
    ])
    expect(lines.some((l) => l.includes('validator') && l.includes('92/100'))).toBe(true)
  })
})
