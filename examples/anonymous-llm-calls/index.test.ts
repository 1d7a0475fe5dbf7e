import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { anonymousCalls } from './index.ts'

const net = useDevnet()

describe('examples/anonymous-llm-calls', () => {
  it('serves three unlinkable paid chats to a plain OpenAI-style request through the proxy and the gateway, and slashes the cheater', async () => {
    const lines: string[] = []
    const r = await anonymousCalls(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) })
    expect(new Set(r.nullifiers).size).toBe(3)
    expect(r.answers).toEqual([
      'an answer to "What is a nullifier?"',
      'an answer to "And a Merkle root?"',
      'an answer to "Why Groth16?"',
    ])
    expect(r.status).toMatchObject({ ticketsLeft: 7, anonymitySet: 3, tokensPerTicket: 256 })
    expect(r.slashed).toBe(true)
    expect(r.anonymitySet).toBe(3) // the 402 after three deposits
    expect(r.events.filter((e) => e.kind === 'paid')).toHaveLength(4)
  }, 180_000)
})
