import { Ollama, type Message, type Tool } from 'ollama'
import { z } from 'zod'
import { LlmUnavailableError } from './errors.ts'
import { DEFAULT_TIMEOUT_MS, requestSignal, transportError } from './signal.ts'
import type { ChatChunk, ChatMessage, ChatReply, ChatRequest, LlmProvider, ToolSpec } from './types.ts'
import { usageOf } from './usage.ts'

export const DEFAULT_OLLAMA_HOST = 'http://127.0.0.1:11434'

export type OllamaProviderOptions = {
  model: string
  /** Default http://127.0.0.1:11434; the CLI passes OLLAMA_HOST. */
  host?: string
  timeoutMs?: number
}

export function toOllamaMessages(messages: ChatMessage[]): Message[] {
  return messages.map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.toolCalls
      ? { tool_calls: m.toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) }
      : {}),
    ...(m.toolName ? { tool_name: m.toolName } : {}),
  }))
}

export function toolDefinitions(tools: ToolSpec[]): Tool[] {
  return tools.map((t) => ({
    type: 'function',
    function: {
      name: t.name,
      description: t.description,
      parameters: z.toJSONSchema(t.parameters) as NonNullable<Tool['function']['parameters']>,
    },
  }))
}

/** Ollama through the official `ollama` client, with per-call timeout and cancellation. */
export function ollamaProvider(options: OllamaProviderOptions): LlmProvider {
  const host = (options.host ?? DEFAULT_OLLAMA_HOST).replace(/\/+$/, '')
  const label = `ollama:${options.model}`
  const client = (signal: AbortSignal) =>
    new Ollama({
      host,
      // the client has no per-request signal: bind ours to its fetch, alongside its own for streams
      fetch: (input, init) =>
        fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    })
  const body = (request: ChatRequest) => ({
    model: options.model,
    messages: toOllamaMessages(request.messages),
    ...(request.jsonSchema ? { format: request.jsonSchema } : {}),
    ...(request.tools?.length ? { tools: toolDefinitions(request.tools) } : {}),
    options: { temperature: request.temperature ?? 0 },
  })
  const fail = (error: unknown, signal: AbortSignal, caller?: AbortSignal) => {
    const status = (error as { status_code?: number })?.status_code
    if (typeof status === 'number') {
      return new LlmUnavailableError('LLM_SERVER_ERROR', `${label} answered ${status}: ${(error as Error).message}`, {
        hint:
          status === 404 ? `Pull the model first: \`ollama pull ${options.model}\`.` : 'Check the Ollama server log.',
        cause: error,
      })
    }
    return transportError(error, label, signal, caller)
  }
  return {
    kind: 'ollama',
    model: options.model,
    label,
    async chat(request): Promise<ChatReply> {
      const signal = requestSignal(request.signal, request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      const t0 = performance.now()
      try {
        const res = await client(signal).chat({ ...body(request), stream: false })
        const usage = usageOf(res.prompt_eval_count, res.eval_count)
        return {
          content: res.message?.content ?? '',
          toolCalls: (res.message?.tool_calls ?? []).map((c) => ({
            name: c.function.name,
            arguments: c.function.arguments ?? {},
          })),
          model: res.model ?? options.model,
          durationMs: performance.now() - t0,
          ...(usage ? { usage } : {}),
        }
      } catch (error) {
        throw fail(error, signal, request.signal)
      }
    },
    async *stream(request): AsyncIterable<ChatChunk> {
      const signal = requestSignal(request.signal, request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      try {
        const parts = await client(signal).chat({ ...body(request), stream: true })
        for await (const part of parts) {
          // the last part carries Ollama's counts
          const usage = part.done ? usageOf(part.prompt_eval_count, part.eval_count) : undefined
          yield { content: part.message?.content ?? '', done: part.done, ...(usage ? { usage } : {}) }
          if (part.done) return
        }
      } catch (error) {
        throw fail(error, signal, request.signal)
      }
    },
  }
}
