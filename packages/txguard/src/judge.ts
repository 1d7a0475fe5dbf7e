import { z } from 'zod'
import { generateObject, untrusted, UNTRUSTED_NOTICE, type LlmProvider, type LlmResult } from '@hermit/llm'
import type { Finding, Verdict } from './context.ts'

export const judgementSchema = z.object({
  matchesIntent: z.enum(['yes', 'no', 'unclear']),
  verdict: z.enum(['allow', 'warn', 'block']),
  concerns: z.array(z.string().min(1).max(300)).max(10),
  summary: z.string().min(1).max(800),
})
export type Judgement = z.output<typeof judgementSchema>

const SYSTEM = [
  'You are the last reader of a transaction or signature request before a person signs it.',
  'You get the decoded call, the simulated effects on a local fork and the findings of deterministic rules.',
  'Say in plain words what would really happen, whether it matches what the user meant, and what a careful person would worry about.',
  'Give a verdict: allow, warn or block. The deterministic verdict is a floor: you may raise it, you can never lower it.',
  UNTRUSTED_NOTICE,
  'Answer only with JSON: {"matchesIntent": "yes"|"no"|"unclear", "verdict": "allow"|"warn"|"block", "concerns": [..], "summary": ".."}.',
].join('\n')

/**
 * Every string in data from the chain or the dapp is wrapped as {"untrusted": …}; hex values and
 * numbers pass as they are (they cannot carry words). bigints become decimal strings.
 */
export function quoteUntrusted(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return /^(0x[0-9a-fA-F]*|-?\d+)$/.test(value) ? value : untrusted(value)
  if (Array.isArray(value)) return value.map(quoteUntrusted)
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, quoteUntrusted(v)]))
  return value
}

export type JudgeInput = {
  intent?: string
  origin?: string
  deterministicVerdict: Verdict
  facts: Record<string, unknown>
  findings: Finding[]
}

export function buildJudgePrompt(input: JudgeInput): { system: string; user: string } {
  const doc = {
    // the user's own words are the one input that is not untrusted
    user_intent: input.intent ?? null,
    deterministic_verdict: input.deterministicVerdict,
    dapp_origin: input.origin === undefined ? null : untrusted(input.origin),
    facts: quoteUntrusted(input.facts),
    rule_findings: input.findings.map((f) => ({ id: f.id, severity: f.severity, message: untrusted(f.message) })),
  }
  return { system: SYSTEM, user: JSON.stringify(doc, null, 1) }
}

export async function judge(
  provider: LlmProvider,
  input: JudgeInput,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<LlmResult<Judgement>> {
  const { system, user } = buildJudgePrompt(input)
  return generateObject(provider, {
    schema: judgementSchema,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
}

const RANK: Record<Verdict, number> = { allow: 0, warn: 1, block: 2 }
/** The policy in one line: the stricter verdict wins, so a model can raise a verdict but never lower it. */
export const stricter = (a: Verdict, b: Verdict): Verdict => (RANK[a] >= RANK[b] ? a : b)
