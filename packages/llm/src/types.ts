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

/**
 * Tokens one call used, as the backend counted them (Ollama `prompt_eval_count` / `eval_count`,
 * OpenAI `usage`, llama.cpp's own meter). Absent when the backend did not say: never estimated,
 * because a bill is made from these numbers.
 */
export type TokenUsage = {
  /** Tokens the model read: the whole prompt, chat template and tool definitions included. */
  promptTokens: number
  /** Tokens the model generated. */
  completionTokens: number
}

export type ChatReply = {
  content: string
  toolCalls: ToolCall[]
  model: string
  durationMs: number
  usage?: TokenUsage
}

/** A piece of a streamed reply; the `done` chunk carries the usage when the backend gives it. */
export type ChatChunk = { content: string; done: boolean; usage?: TokenUsage }

export type ProviderKind = 'ollama' | 'openai-compatible' | 'llamacpp' | 'none'

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
  /** Frees what the provider holds (an in-process model); providers that hold nothing omit it. */
  close?(): Promise<void>
}

/** What a structured call gives back: an answer, or the plain fact that no model was consulted. */
export type LlmResult<T> =
  | {
      consulted: true
      value: T
      provider: string
      model: string
      attempts: number
      durationMs: number
      /** Summed over every attempt; absent unless the backend counted tokens for each of them. */
      usage?: TokenUsage
    }
  | { consulted: false; provider: 'none'; reason: string }
