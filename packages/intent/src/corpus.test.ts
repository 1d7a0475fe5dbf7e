import { describe, expect, it } from 'vitest'
import { INTENT_ACTIONS } from './intent.ts'
import { evaluate, loadCorpus, type CorpusEntry } from './testing/corpus.ts'

const corpus = loadCorpus()
/** The fixed part read exactly: every 5th line, every tricky and held-out line; never the blind ones (their misses are kept). */
const fixed = corpus.filter((e, i) => !e.blind && (i % 5 === 0 || e.tricky || e.heldout))

describe('the labelled corpus', () => {
  it('has at least 300 phrasings, and a label for every action', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300)
    const labelled = new Set(corpus.map((e) => e.label.action))
    expect(INTENT_ACTIONS.filter((a) => !labelled.has(a))).toEqual([])
    expect(corpus.filter((e) => e.tricky).length).toBeGreaterThanOrEqual(50)
  })

  it('the fixed part (every 5th line, the tricky and the held-out ones) parses exactly as labelled', async () => {
    const results = await evaluate(fixed)
    expect(fixed.length).toBeGreaterThan(150)
    const misses = results.filter((r) => !r.exact).map((r) => ({ line: r.line, words: r.words, got: r.parsed }))
    expect(misses).toEqual([])
  })

  it('no parse of the whole corpus, blind lines included, is looser than its label', async () => {
    const results = await evaluate(corpus)
    expect(results.filter((r) => r.looser !== null).map((r) => `${r.line}: ${r.words} (${r.looser})`)).toEqual([])
  })

  it('the check does catch a looser parse: a label with a smaller amount or another recipient', async () => {
    const entry = (words: string, label: CorpusEntry['label']): CorpusEntry => ({
      line: 0,
      words,
      label,
      tricky: false,
      heldout: false,
      blind: false,
    })
    const [more, other, approval] = await evaluate([
      entry('send 15 usdc to bob', { action: 'send', asset: 'USDC', amount: '10', to: 'bob' }),
      entry('send 15 usdc to bob', { action: 'send', asset: 'USDC', amount: '15', to: 'alice' }),
      entry('approve 50 usdc for the router', { action: 'revoke', token: 'USDC', spender: 'router' }),
    ])
    expect(more!.looser).toContain('more')
    expect(other!.looser).toContain('go to')
    expect(approval!.looser).toContain('approval')
  })
})
