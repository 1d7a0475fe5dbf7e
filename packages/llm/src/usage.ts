import type { TokenUsage } from './types.ts'

const count = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

/** Usage from a backend's two counts, or undefined when either is missing: a bill never guesses. */
export function usageOf(promptTokens: unknown, completionTokens: unknown): TokenUsage | undefined {
  return count(promptTokens) && count(completionTokens) ? { promptTokens, completionTokens } : undefined
}

/** The sum of several calls' usage; undefined as soon as one call did not report its own. */
export function sumUsage(parts: Array<TokenUsage | undefined>): TokenUsage | undefined {
  let promptTokens = 0
  let completionTokens = 0
  for (const part of parts) {
    if (!part) return undefined
    promptTokens += part.promptTokens
    completionTokens += part.completionTokens
  }
  return parts.length === 0 ? undefined : { promptTokens, completionTokens }
}
