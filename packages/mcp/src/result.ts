import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { isHermitError, shortMessageOf } from '@hermit/errors'

/** A value as JSON-safe data: bigints become decimal strings. */
export function jsonSafe<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
}

/** A tool's success: the structured content, and the same as text for clients that only read text. */
export function ok(structured: Record<string, unknown>, text?: string): CallToolResult {
  const safe = jsonSafe(structured) as Record<string, unknown>
  return {
    structuredContent: safe,
    content: [{ type: 'text', text: text ?? JSON.stringify(safe, null, 2) }],
  }
}

/** What an `isError` result carries: Hermit's code, the short message, the hint. */
export type ToolFailure = { code: string; message: string; hint?: string }

/**
 * A failure as the caller sees it. Only a HermitError's short message and hint go out: they are
 * written never to carry secrets. Any other error's message is reduced to its first line.
 */
export function failure(error: unknown): ToolFailure {
  if (isHermitError(error))
    return { code: error.code, message: error.shortMessage, ...(error.hint ? { hint: error.hint } : {}) }
  return { code: 'MCP_INTERNAL', message: shortMessageOf(error) }
}

/** An `isError` result: no structuredContent (the output schema describes success), the code and hint in the text. */
export function errorResult(error: unknown): CallToolResult {
  const f = failure(error)
  return {
    isError: true,
    content: [{ type: 'text', text: JSON.stringify(f) }],
  }
}
