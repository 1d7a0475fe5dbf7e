// the package is not a dependency of bench/ (no install was allowed when it was added): imported by path
import { evaluate, loadCorpus, summarize as corpusSummary } from '@hermit/intent/testing'
import { parseIntent } from '@hermit/intent'
import { iterations, summarize, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(20, 2)

export const bench: BenchFile = {
  title: '@hermit/intent: the deterministic parser on the whole labelled corpus',
  measures: ['packages/intent/src'],
  async run() {
    const corpus = loadCorpus()
    const results = await evaluate(corpus)
    const rows: BenchResult[] = []
    const part = (name: string, list: typeof results, note: string) => {
      const s = corpusSummary(list)
      const pct = Math.round(s.accuracy * 1000) / 10
      rows.push({
        name: `exact parses: ${name}`,
        unit: '%',
        median: pct,
        p95: pct,
        n: s.total,
        note: `${s.exact}/${s.total}; ${note}`,
      })
      rows.push({
        name: `looser than the label: ${name}`,
        unit: 'parses',
        median: s.looser,
        p95: s.looser,
        n: s.total,
        note: 'target 0',
      })
    }
    part('whole corpus', results, 'target ≥ 95 %')
    part(
      'held-out lines',
      results.filter((r) => r.heldout),
      'written after the parser',
    )
    part(
      'blind lines',
      results.filter((r) => r.blind),
      'written last, never tuned for',
    )
    part(
      'tricky lines',
      results.filter((r) => r.tricky),
      'two amounts, address + name, negations…',
    )
    // one pass over the corpus, per phrasing
    const samples: number[] = []
    for (let i = 0; i < N; i++)
      for (const e of corpus) {
        const t0 = performance.now()
        parseIntent(e.words)
        samples.push((performance.now() - t0) * 1000)
      }
    rows.push(summarize('parseIntent, one phrasing', 'µs', samples))
    return rows
  },
}
