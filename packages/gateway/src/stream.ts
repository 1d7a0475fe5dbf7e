/**
 * Streams pass through event by event: an SSE event (`data: …` up to a blank line) or an NDJSON line
 * is written to the client the moment it is complete, never held for the next one. The gateway only
 * reads each event to count what it serves, to take the usage the upstream reports, to drop a usage
 * event the client did not ask for, and to cut a stream that reaches what was paid.
 */
import type { ServerResponse } from 'node:http'
import type { TokenUsage } from '@hermit/llm'
import type { Api, PaidRoute } from './pricing.ts'

export type StreamEvent = {
  /** The bytes to pass on, or null to drop this event (a usage event the client did not ask for). */
  out: string | null
  /** A piece of answer (content or a tool call) the client is served. */
  served: boolean
  usage?: TokenUsage
  /** The last event of the answer. */
  done: boolean
}

type OpenAiChunk = {
  choices?: Array<{ delta?: { content?: string | null; tool_calls?: unknown[] }; text?: string }>
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null
}

function openAiEvent(raw: string, keepUsage: boolean): StreamEvent {
  const data = raw
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trimStart())
    .join('\n')
  if (data === '[DONE]') return { out: raw, served: false, done: true }
  let chunk: OpenAiChunk
  try {
    chunk = JSON.parse(data) as OpenAiChunk
  } catch {
    return { out: raw, served: false, done: false }
  }
  const served = (chunk.choices ?? []).some(
    (c) => !!c.delta?.content || (c.delta?.tool_calls?.length ?? 0) > 0 || !!c.text,
  )
  const usage = chunk.usage
    ? { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 }
    : undefined
  // the usage-only event the gateway forced (stream_options.include_usage): not the client's unless it asked
  const usageOnly = usage !== undefined && (chunk.choices ?? []).length === 0
  return { out: usageOnly && !keepUsage ? null : raw, served, ...(usage ? { usage } : {}), done: false }
}

type OllamaLine = {
  message?: { content?: string; tool_calls?: unknown[] }
  response?: string
  done?: boolean
  prompt_eval_count?: number
  eval_count?: number
}

function ollamaEvent(raw: string): StreamEvent {
  let line: OllamaLine
  try {
    line = JSON.parse(raw) as OllamaLine
  } catch {
    return { out: raw, served: false, done: false }
  }
  const served = !!line.message?.content || (line.message?.tool_calls?.length ?? 0) > 0 || !!line.response
  const done = line.done === true
  const usage =
    done && (line.prompt_eval_count !== undefined || line.eval_count !== undefined)
      ? { promptTokens: line.prompt_eval_count ?? 0, completionTokens: line.eval_count ?? 0 }
      : undefined
  return { out: raw, served, ...(usage ? { usage } : {}), done }
}

/** Splits a byte stream into events (SSE: blank-line separated; NDJSON: lines), each with its separator. */
export function eventSplitter(api: Api) {
  const sep = api === 'openai' ? /\r?\n\r?\n/ : /\n/
  const decoder = new TextDecoder()
  let rest = ''
  return {
    push(chunk: Uint8Array): string[] {
      rest += decoder.decode(chunk, { stream: true })
      const out: string[] = []
      for (let m = sep.exec(rest); m; m = sep.exec(rest)) {
        const end = m.index + m[0].length
        const raw = rest.slice(0, end)
        rest = rest.slice(end)
        if (raw.trim() !== '') out.push(raw)
      }
      return out
    },
    /** Whatever came after the last separator. */
    flush: (): string => rest + decoder.decode(),
  }
}

export const readEvent = (api: Api, raw: string, keepUsage: boolean): StreamEvent =>
  api === 'openai' ? openAiEvent(raw, keepUsage) : ollamaEvent(raw)

/**
 * The events that end a stream cut at its budget, in the route's own shape: the finish reason says
 * "length", as a model's own limit would (chat: a `delta`, completions: `text`; Ollama chat: a
 * `message`, generate: `response`).
 */
export function cutEvents(route: PaidRoute, model: string | undefined): string {
  const named = model ? { model } : {}
  if (route.api === 'openai') {
    const finish =
      route.kind === 'chat'
        ? { object: 'chat.completion.chunk', ...named, choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }
        : { object: 'text_completion', ...named, choices: [{ index: 0, text: '', finish_reason: 'length' }] }
    return `data: ${JSON.stringify(finish)}\n\ndata: [DONE]\n\n`
  }
  const last = route.kind === 'chat' ? { message: { role: 'assistant', content: '' } } : { response: '' }
  const done = { ...named, created_at: new Date().toISOString(), ...last, done: true, done_reason: 'length' }
  return `${JSON.stringify(done)}\n`
}

/**
 * A stream's head goes out with its first event, in one write, so the next hop (the proxy, the
 * app) wakes once for both instead of twice; on two shared cores each wake-up on a call's path
 * costs. A head whose first event has not come within `ms` goes out alone: a model still loading
 * must not look like a server that never answered.
 */
export function headWithFirstEvent(res: ServerResponse, ms = HEAD_ALONE_AFTER_MS): void {
  // (headersSent is true from writeHead on, sent or not; a flush after the first event writes nothing)
  const timer = setTimeout(() => {
    if (!res.destroyed && !res.writableEnded) res.flushHeaders()
  }, ms)
  const stop = () => clearTimeout(timer)
  res.once('finish', stop)
  res.once('close', stop)
}

/** How long a stream's head waits for its first event (headWithFirstEvent). */
export const HEAD_ALONE_AFTER_MS = 50
