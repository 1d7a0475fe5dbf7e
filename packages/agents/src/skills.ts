import { untrusted, UNTRUSTED_NOTICE, type LlmProvider } from '@hermit/llm'
import type { Checker } from './evaluator.ts'
import type { Skill } from './provider/types.ts'

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
const contentWords = (text: string): string[] => words(text).filter((w) => w.length > 3)
const sentences = (text: string): string[] =>
  text
    .replace(/\s+/g, ' ')
    .match(/[^.!?]+[.!?]*/g)
    ?.map((s) => s.trim())
    .filter(Boolean) ?? []

/**
 * An extractive summary with no model: the sentences whose words are most frequent in the text,
 * in their original order, at most `maxSentences` of them.
 */
export function extractiveSummary(text: string, maxSentences = 2): string {
  const all = sentences(text)
  if (all.length <= maxSentences) return all.join(' ')
  const freq = new Map<string, number>()
  for (const w of contentWords(text)) freq.set(w, (freq.get(w) ?? 0) + 1)
  const scored = all.map((s, i) => ({
    i,
    s,
    score: contentWords(s).reduce((t, w) => t + (freq.get(w) ?? 0), 0) / Math.sqrt(words(s).length + 1),
  }))
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, maxSentences)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.s)
    .join(' ')
}

/**
 * The `summarize` skill: the local model writes the summary when there is one; with provider
 * `none` (deterministic mode) an extractive summary is made and no model is consulted.
 */
export function summarizeSkill(price: bigint, model?: LlmProvider): Skill {
  return {
    price,
    handler: async ({ request, signal }) => {
      if (!model || model.kind === 'none') return extractiveSummary(request.input)
      const reply = await model.chat({
        signal,
        messages: [
          {
            role: 'system',
            content: `Summarize the text in at most two sentences, using its own words. ${UNTRUSTED_NOTICE}`,
          },
          { role: 'user', content: JSON.stringify({ text: untrusted(request.input) }) },
        ],
      })
      return reply.content.trim()
    },
  }
}

/**
 * Deterministic checks for a summary: text, shorter than its input, and grounded in it — most of
 * its content words occur in the input and it keeps some of the input's most frequent ones. The
 * score is the share of grounded words (0–100).
 */
export const summaryChecks: Checker = ({ request, deliverable }) => {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(deliverable).trim()
  } catch {
    return { ok: false, score: 0, reason: 'not UTF-8 text' }
  }
  if (text.length < 20) return { ok: false, score: 0, reason: 'too short to be a summary' }
  if (text.length >= request.input.length)
    return { ok: false, score: 10, reason: 'not shorter than the text it summarizes' }
  const source = new Set(contentWords(request.input))
  const used = contentWords(text)
  const grounded = used.filter((w) => source.has(w)).length / Math.max(1, used.length)
  const freq = new Map<string, number>()
  for (const w of contentWords(request.input)) freq.set(w, (freq.get(w) ?? 0) + 1)
  const top = [...freq.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([w]) => w)
  const keeps = top.filter((w) => used.includes(w)).length
  const score = Math.round(grounded * 100)
  if (grounded < 0.6) return { ok: false, score, reason: `only ${score}% of its words come from the text` }
  if (keeps === 0) return { ok: false, score: Math.min(score, 30), reason: `misses every key word (${top.join(', ')})` }
  return {
    ok: true,
    score,
    reason: `${score}% of its words come from the text; keeps ${keeps} of its ${top.length} key words`,
  }
}
