import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { intentSchema, type Intent } from '../intent.ts'
import { parseIntent } from '../parse.ts'
import { compareReadings } from '../symbolic.ts'

/**
 * The labelled corpus: one JSON object a line, `{ words, intent, tricky? }`. The label is the
 * intent the words mean; `{ "action": "unknown" }` (no reason) means "must not be read as anything".
 * `heldout` lines were written after the parser and never tuned for: their accuracy is reported apart.
 */
export const CORPUS_PATH = fileURLToPath(new URL('../corpus/intents.jsonl', import.meta.url))

const lineSchema = z.strictObject({
  words: z.string(),
  intent: z.union([z.strictObject({ action: z.literal('unknown') }), intentSchema]),
  tricky: z.literal(true).optional(),
  /** Written after the parser, and kept as first labelled even where the parser reads it wrong. */
  heldout: z.literal(true).optional(),
  /** Written last and never tuned for: a miss stays a miss (only a looser parse is a bug to fix). */
  blind: z.literal(true).optional(),
  /** Why a label was changed after a run, when it was. */
  note: z.string().optional(),
})
export type CorpusEntry = {
  line: number
  words: string
  label: Intent
  tricky: boolean
  heldout: boolean
  blind: boolean
}

export function loadCorpus(path = CORPUS_PATH): CorpusEntry[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1 }))
    .filter(({ text }) => text.trim() !== '')
    .map(({ text, line }) => {
      const row = lineSchema.parse(JSON.parse(text))
      const label: Intent = row.intent.action === 'unknown' ? { action: 'unknown', reason: 'label' } : row.intent
      return {
        line,
        words: row.words,
        label,
        tricky: row.tricky === true,
        heldout: row.heldout === true,
        blind: row.blind === true,
      }
    })
}

/** Addresses compare without their checksum case; an unknown matches an unknown whatever the reason. */
function canonical(intent: Intent): string {
  if (intent.action === 'unknown') return '{"action":"unknown"}'
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sorted(x)]),
          )
        : typeof v === 'string' && /^0x[0-9a-fA-F]{40}$/.test(v)
          ? v.toLowerCase()
          : v
  return JSON.stringify(sorted(intent))
}

export type CorpusResult = CorpusEntry & {
  parsed: Intent
  exact: boolean
  /** Why the parse allows what the label does not (null: it does not). */
  looser: string | null
}

export async function evaluate(entries: CorpusEntry[]): Promise<CorpusResult[]> {
  const out: CorpusResult[] = []
  for (const entry of entries) {
    const parsed = parseIntent(entry.words)
    const exact = canonical(parsed) === canonical(entry.label)
    const looser = exact ? null : (await compareReadings(parsed, entry.label)).aLooser
    out.push({ ...entry, parsed, exact, looser })
  }
  return out
}

export function summarize(results: CorpusResult[]): { total: number; exact: number; looser: number; accuracy: number } {
  const exact = results.filter((r) => r.exact).length
  return {
    total: results.length,
    exact,
    looser: results.filter((r) => r.looser !== null).length,
    accuracy: results.length === 0 ? 0 : exact / results.length,
  }
}
