import { z } from 'zod'
import { LlmOutputError, LlmUnavailableError } from './errors.ts'
import { DEFAULT_TIMEOUT_MS, requestSignal, transportError } from './signal.ts'
import type { ChatChunk, ChatMessage, ChatReply, ChatRequest, LlmProvider, TokenUsage } from './types.ts'
import { usageOf } from './usage.ts'

export type OpenAiCompatibleOptions = {
  model: string
  /** e.g. http://127.0.0.1:8080 (llama.cpp server), http://127.0.0.1:8000 (vLLM), http://127.0.0.1:1234 (LM Studio). */
  baseUrl: string
  /** Sent as a bearer token when the local server wants one; never logged. */
  apiKey?: string
  timeoutMs?: number
}

const usageSchema = z
  .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional() })
  .nullable()
  .optional()

const replySchema = z.object({
  model: z.string().optional(),
  usage: usageSchema,
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullable().optional(),
          tool_calls: z.array(z.object({ function: z.object({ name: z.string(), arguments: z.string() }) })).optional(),
        }),
      }),
    )
    .min(1),
})

const chunkSchema = z.object({
  // with stream_options.include_usage, the last chunk before [DONE] has usage and no choices
  usage: usageSchema,
  choices: z.array(
    z.object({
      delta: z.object({ content: z.string().nullable().optional() }).optional(),
      finish_reason: z.string().nullable().optional(),
    }),
  ),
})

function toOpenAiMessages(messages: ChatMessage[]) {
  return messages.map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.toolCalls
      ? {
          tool_calls: m.toolCalls.map((c, i) => ({
            id: `call_${i}`,
            type: 'function',
            function: { name: c.name, arguments: JSON.stringify(c.arguments) },
          })),
        }
      : {}),
    ...(m.toolName ? { name: m.toolName } : {}),
  }))
}

/** Any OpenAI-compatible local server (llama.cpp server, vLLM, LM Studio) through plain fetch. */
export function openAiCompatibleProvider(options: OpenAiCompatibleOptions): LlmProvider {
  const base = options.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
  const label = `openai-compatible:${options.model}`
  const post = async (request: ChatRequest, stream: boolean) => {
    const signal = requestSignal(request.signal, request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
    const body = {
      model: options.model,
      messages: toOpenAiMessages(request.messages),
      temperature: request.temperature ?? 0,
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
      ...(request.jsonSchema
        ? {
            response_format: {
              type: 'json_schema',
              json_schema: { name: 'reply', schema: request.jsonSchema, strict: true },
            },
          }
        : {}),
      ...(request.tools?.length
        ? {
            tools: request.tools.map((t) => ({
              type: 'function',
              function: { name: t.name, description: t.description, parameters: z.toJSONSchema(t.parameters) },
            })),
          }
        : {}),
    }
    let res: Response
    try {
      res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal,
      })
    } catch (error) {
      throw transportError(error, label, signal, request.signal)
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).slice(0, 300)
      throw new LlmUnavailableError('LLM_SERVER_ERROR', `${label} answered ${res.status}: ${text}`, {
        hint: 'Check the model name and the server log.',
      })
    }
    return { res, signal }
  }
  return {
    kind: 'openai-compatible',
    model: options.model,
    label,
    async chat(request): Promise<ChatReply> {
      const t0 = performance.now()
      const { res, signal } = await post(request, false)
      let json: unknown
      try {
        json = await res.json()
      } catch (error) {
        throw signal.aborted
          ? transportError(error, label, signal, request.signal)
          : new LlmOutputError('LLM_BAD_RESPONSE', `${label} sent a body that is not JSON.`, { cause: error })
      }
      const parsed = replySchema.safeParse(json)
      if (!parsed.success)
        throw new LlmOutputError('LLM_BAD_RESPONSE', `${label} sent a reply without choices[0].message.`, {
          cause: parsed.error,
        })
      const message = parsed.data.choices[0]!.message
      const usage = usageOf(parsed.data.usage?.prompt_tokens, parsed.data.usage?.completion_tokens)
      return {
        content: message.content ?? '',
        toolCalls: (message.tool_calls ?? []).map((c) => ({
          name: c.function.name,
          arguments: parseArguments(c.function.arguments),
        })),
        model: parsed.data.model ?? options.model,
        durationMs: performance.now() - t0,
        ...(usage ? { usage } : {}),
      }
    },
    async *stream(request): AsyncIterable<ChatChunk> {
      const { res, signal } = await post(request, true)
      if (!res.body) throw new LlmUnavailableError('LLM_BAD_RESPONSE', `${label} sent no stream body.`)
      const decoder = new TextDecoder()
      let buffered = ''
      let usage: TokenUsage | undefined
      try {
        for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffered += decoder.decode(bytes, { stream: true })
          let nl: number
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim()
            buffered = buffered.slice(nl + 1)
            if (!line.startsWith('data:')) continue
            const data = line.slice(5).trim()
            if (data === '[DONE]') {
              yield { content: '', done: true, ...(usage ? { usage } : {}) }
              return
            }
            const chunk = chunkSchema.safeParse(safeJson(data))
            if (!chunk.success) continue
            usage = usageOf(chunk.data.usage?.prompt_tokens, chunk.data.usage?.completion_tokens) ?? usage
            const choice = chunk.data.choices[0]
            if (!choice) continue
            // the finish chunk is not the end: the usage chunk and [DONE] still follow
            if (choice.delta?.content) yield { content: choice.delta.content, done: false }
          }
        }
        // a server that closes the stream without [DONE] has still finished
        yield { content: '', done: true, ...(usage ? { usage } : {}) }
      } catch (error) {
        throw transportError(error, label, signal, request.signal)
      }
    },
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function parseArguments(text: string): Record<string, unknown> {
  const v = safeJson(text)
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
