import type { z } from 'zod'

export type Role = 'system' | 'user' | 'assistant' | 'tool'

export type ToolCall = { name: string; arguments: Record<string, unknown> }

export type ChatMessage = {
  role: Role
  content: string
  /** Tool calls the assistant asked for (assistant messages). */
  toolCalls?: ToolCall[]
  /** Which tool this message answers (tool messages). */
  toolName?: string
}

export type ToolSpec = {
  name: string
  description: string
  parameters: z.ZodObject
}

export type ChatRequest = {
  messages: ChatMessage[]
  /** A JSON schema the reply must follow (Ollama `format`, OpenAI `response_format`). */
  jsonSchema?: Record<string, unknown>
  tools?: ToolSpec[]
  temperature?: number
  timeoutMs?: number
  signal?: AbortSignal
}

export type ChatReply = {
  content: string
  toolCalls: ToolCall[]
  model: string
  durationMs: number
}

export type ChatChunk = { content: string; done: boolean }

export type ProviderKind = 'ollama' | 'openai-compatible' | 'none'

/**
 * One local model behind one interface. `none` is a real provider too: it answers every call with
 * "no model consulted" instead of an answer, so callers can never mistake silence for approval.
 */
export interface LlmProvider {
  readonly kind: ProviderKind
  /** The model name, or null for `none`. */
  readonly model: string | null
  /** A short label for reports: "ollama:llama3.2", "none". */
  readonly label: string
  chat(request: ChatRequest): Promise<ChatReply>
  stream(request: ChatRequest): AsyncIterable<ChatChunk>
}

/** What a structured call gives back: an answer, or the plain fact that no model was consulted. */
export type LlmResult<T> =
  | { consulted: true; value: T; provider: string; model: string; attempts: number; durationMs: number }
  | { consulted: false; provider: 'none'; reason: string }
