import { z } from 'zod'
import { generateObject, untrusted, UNTRUSTED_NOTICE, type LlmProvider, type LlmResult } from '@hermit/llm'
import type { TrustReport } from './schema.ts'

/** What a model may add: concerns only. It never changes the report's facts or its headline. */
export const trustExplanationSchema = z.object({
  concerns: z.array(z.string().min(1).max(300)).max(8),
  explanation: z.string().min(1).max(1200),
})
export type TrustExplanation = z.output<typeof trustExplanationSchema>

const SYSTEM = [
  'You explain to a person who can change a smart contract and how fast, from facts read on the chain by deterministic code.',
  'The facts are final: you may add concerns a careful reviewer would raise, never remove or soften one, never say a contract is safe.',
  UNTRUSTED_NOTICE,
  'Answer only with JSON: {"concerns": [..], "explanation": ".."}.',
].join('\n')

/** Hex and decimal strings cannot carry words; every other string is tagged untrusted. */
function quote(value: unknown): unknown {
  if (typeof value === 'string') return /^(0x[0-9a-fA-F]*|\d+)$/.test(value) ? value : untrusted(value)
  if (Array.isArray(value)) return value.map(quote)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quote(v)]))
  return value
}

export function buildTrustPrompt(report: TrustReport): { system: string; user: string } {
  return { system: SYSTEM, user: JSON.stringify({ trust_report: quote(report) }, null, 1) }
}

/** The model's explanation of a report, zod-checked; `none` answers that no model was consulted. */
export async function explainTrust(
  provider: LlmProvider,
  report: TrustReport,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<LlmResult<TrustExplanation>> {
  const { system, user } = buildTrustPrompt(report)
  return generateObject(provider, {
    schema: trustExplanationSchema,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
}
