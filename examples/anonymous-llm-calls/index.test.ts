import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { anonymousCalls } from './index.ts'

const net = useDevnet()

describe('examples/anonymous-llm-calls', () => {
  it('serves three unlinkable paid calls and slashes the cheater', async () => {
    const lines: string[] = []
    const r = await anonymousCalls(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) })
    expect(new Set(r.nullifiers).size).toBe(3)
    expect(r.slashed).toBe(true)
    expect(r.anonymitySet).toBe(3) // the 402 after three deposits
    expect(r.events.filter((e) => e.kind === 'paid')).toHaveLength(4)
  }, 180_000)
})
