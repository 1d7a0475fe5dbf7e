import { availableParallelism } from 'node:os'
import type { ChatModelFunctions, GbnfJsonSchema, LlamaGrammar, LlamaModel } from 'node-llama-cpp'
import { z } from 'zod'
import { shortMessageOf } from '@hermit/errors'
import {
  DEFAULT_TIMEOUT_MS,
  LlmUnavailableError,
  requestSignal,
  transportError,
  type ChatChunk,
  type ChatReply,
  type ChatRequest,
  type LlmProvider,
  type TokenUsage,
  type ToolCall,
  type ToolSpec,
} from '@hermit/llm'
import { LlamaCppError } from './errors.ts'
import { toGrammarSchema } from './grammar.ts'
import { toChatHistory } from './history.ts'
import { acquireModel, llamaRuntime, nodeLlamaCpp, releaseModel, type LoadOptions } from './load.ts'

export type LlamaCppProviderOptions = LoadOptions & {
  /** Path of a .gguf file. */
  modelPath: string
  /** Tokens of context per call: prompt plus reply (default: the model's own, at most 8192). */
  contextSize?: number
  /** Most tokens one reply may have (default 1024). */
  maxTokens?: number
  /** CPU threads (default: half the cores, at least 1: llama.cpp's threads spin, and the machine is shared). */
  threads?: number
  timeoutMs?: number
}

export type LlamaCppProvider = LlmProvider & {
  readonly kind: 'llamacpp'
  /** Frees this provider's hold on the model; the model is disposed when no provider holds it. */
  close(): Promise<void>
}

const DEFAULT_MAX_TOKENS = 1024
const MAX_DEFAULT_CONTEXT = 8192

type Run = { content: string; toolCalls: ToolCall[]; usage: TokenUsage }

/**
 * A GGUF model run in this process by llama.cpp (node-llama-cpp), on the CPU. The model loads on
 * the first call and is shared with every provider of the same file; each call gets its own small
 * context, so calls never see each other's tokens. A JSON schema becomes a grammar: the model can
 * only write JSON of that shape, and zod (in `generateObject`) still judges the reply.
 */
export function llamaCppProvider(options: LlamaCppProviderOptions): LlamaCppProvider {
  const label = `llamacpp:${options.modelPath}`
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS
  const threads = options.threads ?? Math.max(1, Math.floor(availableParallelism() / 2))
  let held: { path: string; model: Promise<LlamaModel> } | undefined
  let closed = false
  const grammars = new Map<string, Promise<LlamaGrammar>>()

  const model = () => {
    if (closed)
      throw new LlamaCppError('LLAMACPP_LOAD_FAILED', `${label} was closed.`, { hint: 'Make a new provider.' })
    held ??= acquireModel(options.modelPath, options)
    return held.model
  }

  const grammarFor = (jsonSchema: Record<string, unknown>) => {
    const key = JSON.stringify(jsonSchema)
    let grammar = grammars.get(key)
    if (!grammar) {
      grammar = llamaRuntime().then((llama) =>
        llama.createGrammarForJsonSchema<GbnfJsonSchema>(toGrammarSchema(jsonSchema).schema),
      )
      grammars.set(key, grammar)
    }
    return grammar
  }

  async function run(request: ChatRequest, signal: AbortSignal, onText?: (text: string) => void): Promise<Run> {
    const loaded = await untilAborted(model(), signal)
    const { InsufficientMemoryError, LlamaChat } = await nodeLlamaCpp()
    const history = toChatHistory(request.messages)
    const functions = request.tools?.length ? toFunctions(request.tools) : undefined
    const grammar = request.jsonSchema ? await grammarFor(request.jsonSchema) : undefined
    signal.throwIfAborted()
    const contextSize = options.contextSize ?? Math.min(loaded.trainContextSize, MAX_DEFAULT_CONTEXT)
    const context = await loaded.createContext({ contextSize, threads, sequences: 1 }).catch((cause: unknown) => {
      throw cause instanceof InsufficientMemoryError
        ? new LlamaCppError(
            'LLAMACPP_MODEL_TOO_LARGE',
            `A ${contextSize}-token context of ${label} does not fit in memory.`,
            {
              cause,
              hint: 'Give a smaller contextSize, or use a smaller model.',
            },
          )
        : cause
    })
    const sequence = context.getSequence()
    const chat = new LlamaChat({ contextSequence: sequence })
    try {
      // a prompt that does not fit would be cut silently (llama.cpp shifts the context): refuse it instead
      const promptTokens = chat.chatWrapper
        .generateContextState({ chatHistory: history, ...(functions ? { availableFunctions: functions } : {}) })
        .contextText.tokenize(loaded.tokenizer).length
      if (promptTokens + maxTokens > context.contextSize) {
        throw new LlamaCppError(
          'LLAMACPP_CONTEXT_TOO_SMALL',
          `The prompt is ${promptTokens} tokens; with ${maxTokens} for the reply it does not fit the ${context.contextSize}-token context of ${label}.`,
          {
            hint: 'Raise contextSize (up to the model’s own context), lower maxTokens, or send a shorter prompt.',
            details: { promptTokens, maxTokens, contextSize: context.contextSize },
          },
        )
      }
      const common = {
        maxTokens,
        temperature: request.temperature ?? 0,
        signal,
        ...(onText ? { onTextChunk: onText } : {}),
      }
      const res = functions
        ? await chat.generateResponse(history, { ...common, functions })
        : await chat.generateResponse(history, { ...common, ...(grammar ? { grammar } : {}) })
      return {
        content: res.response,
        toolCalls: (res.functionCalls ?? []).map((c) => ({
          name: c.functionName,
          arguments: isRecord(c.params) ? c.params : {},
        })),
        // llama.cpp's own meter: every token this call evaluated and generated (its context is its own)
        usage: {
          promptTokens: sequence.tokenMeter.usedInputTokens,
          completionTokens: sequence.tokenMeter.usedOutputTokens,
        },
      }
    } finally {
      chat.dispose()
      await context.dispose()
    }
  }

  const fail = (error: unknown, signal: AbortSignal, caller?: AbortSignal): Error => {
    if (signal.aborted) return transportError(error, label, signal, caller)
    if (error instanceof LlamaCppError || error instanceof LlmUnavailableError) return error
    return new LlmUnavailableError('LLM_SERVER_ERROR', `${label} failed: ${shortMessageOf(error)}`, {
      cause: error,
      hint: 'Check the model file; a smaller contextSize or maxTokens may help.',
    })
  }

  return {
    kind: 'llamacpp',
    model: options.modelPath,
    label,
    async chat(request): Promise<ChatReply> {
      const signal = requestSignal(request.signal, request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      const t0 = performance.now()
      try {
        const r = await run(request, signal)
        return { ...r, model: options.modelPath, durationMs: performance.now() - t0 }
      } catch (error) {
        throw fail(error, signal, request.signal)
      }
    },
    async *stream(request): AsyncIterable<ChatChunk> {
      // a consumer that stops reading stops the generation too
      const stop = new AbortController()
      const caller = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal
      const signal = requestSignal(caller, request.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      const queue: string[] = []
      let wake: (() => void) | undefined
      let finished = false
      const running = run(request, signal, (text) => {
        queue.push(text)
        wake?.()
      }).finally(() => {
        finished = true
        wake?.()
      })
      running.catch(() => {}) // awaited below; this only keeps an early stop from being an unhandled rejection
      try {
        for (;;) {
          if (queue.length) {
            yield { content: queue.shift()!, done: false }
            continue
          }
          if (finished) break
          await new Promise<void>((r) => (wake = r))
          wake = undefined
        }
        let result: Run
        try {
          result = await running
        } catch (error) {
          throw fail(error, signal, caller)
        }
        yield { content: '', done: true, usage: result.usage }
      } finally {
        if (!finished) stop.abort()
      }
    },
    async close() {
      if (closed) return
      closed = true
      const path = held?.path
      held = undefined
      grammars.clear()
      if (path) await releaseModel(path)
    },
  }
}

function toFunctions(tools: ToolSpec[]): ChatModelFunctions {
  return Object.fromEntries(
    tools.map((t) => [
      t.name,
      {
        description: t.description,
        params: toGrammarSchema(z.toJSONSchema(t.parameters) as Record<string, unknown>).schema,
      },
    ]),
  )
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Waits for `promise`, but gives up when `signal` fires (a model load cannot itself be stopped). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}
