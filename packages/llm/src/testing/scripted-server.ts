/**
 * A SCRIPTED TEST DOUBLE of a model server — no model runs here. It speaks enough of the Ollama
 * API (/api/version, /api/tags, /api/chat, /api/generate, streaming or not) and of the
 * OpenAI-compatible API (/v1/models, /v1/chat/completions, /v1/completions, /v1/embeddings, SSE
 * streaming) to drive the real clients, and answers from a script. Streamed tool calls come as the
 * APIs send them: OpenAI `delta.tool_calls` pieces, an Ollama chunk with `message.tool_calls`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ScriptedReply = {
  content?: string
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>
  /** Embeddings: one vector per input (default: each input's length and word count, not a real embedding). */
  embeddings?: number[][]
  /** Answer with this HTTP status and `error` instead. */
  status?: number
  error?: string
  /** Never answer (until the client gives up): for timeout and cancellation tests. */
  hang?: boolean
  /** Answer only after this many milliseconds (a slow model): for timeout tests where a late answer must be ignored. */
  delayMs?: number
  /**
   * Token counts to report, as each API does: Ollama `prompt_eval_count` / `eval_count`; OpenAI
   * `usage`, in a stream only when the request asked with `stream_options.include_usage`.
   */
  usage?: { promptTokens: number; completionTokens: number }
}

export type RecordedRequest = {
  api: 'ollama' | 'openai'
  /** The route asked: a chat, a completion (OpenAI /v1/completions, Ollama /api/generate) or embeddings. */
  kind: RouteKind
  path: string
  /** The JSON body as received (budget fields, prompt, input, …). */
  body: Record<string, unknown>
  model: string
  messages: Array<{ role: string; content: string; [k: string]: unknown }>
  format: unknown
  responseFormat: unknown
  tools: unknown[] | undefined
  stream: boolean
  /** OpenAI `stream_options` as sent. */
  streamOptions: unknown
  headers: Record<string, string | string[] | undefined>
}

export type Script = ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply)

export type ScriptedModelServer = {
  /** Base URL, e.g. http://127.0.0.1:40123 — give it as OLLAMA_HOST or an OpenAI base URL. */
  url: string
  /** Every chat request received, in order. */
  requests: RecordedRequest[]
  /** Replace the script (e.g. per test). */
  script(next: Script): void
  close(): Promise<void>
}

export const SCRIPTED_VERSION = '0.0.0-scripted-test-double'

type RouteKind = 'chat' | 'completion' | 'embedding'
const ROUTES: Record<string, { api: 'ollama' | 'openai'; kind: RouteKind }> = {
  '/api/chat': { api: 'ollama', kind: 'chat' },
  '/api/generate': { api: 'ollama', kind: 'completion' },
  '/v1/chat/completions': { api: 'openai', kind: 'chat' },
  '/v1/completions': { api: 'openai', kind: 'completion' },
  '/v1/embeddings': { api: 'openai', kind: 'embedding' },
}

export async function startScriptedModelServer(
  options: { models?: string[]; script?: Script } = {},
): Promise<ScriptedModelServer> {
  const models = options.models ?? ['scripted-model']
  let script: Script = options.script ?? []
  const requests: RecordedRequest[] = []
  const hanging = new Set<ServerResponse>()
  const delayed = new Set<ReturnType<typeof setTimeout>>()

  const next = (req: RecordedRequest): ScriptedReply => {
    const index = requests.length - 1
    if (typeof script === 'function') return script(req, index)
    const reply = script.shift()
    return reply ?? { status: 500, error: 'scripted test double: script exhausted' }
  }

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x')
      if (req.method === 'GET' && url.pathname === '/api/version') return json(res, 200, { version: SCRIPTED_VERSION })
      if (req.method === 'GET' && url.pathname === '/api/tags') {
        return json(res, 200, {
          models: models.map((name) => ({
            name,
            model: name,
            modified_at: new Date(0).toISOString(),
            size: 0,
            digest: 'scripted',
            details: { family: 'scripted-test-double' },
          })),
        })
      }
      if (req.method === 'GET' && url.pathname === '/v1/models') {
        return json(res, 200, {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted-test-double' })),
        })
      }
      const route = ROUTES[url.pathname]
      if (req.method === 'POST' && route) {
        const body = JSON.parse(await readBody(req)) as Record<string, unknown>
        const { api, kind } = route
        const recorded: RecordedRequest = {
          api,
          kind,
          path: url.pathname,
          body,
          model: String(body.model),
          messages: (body.messages as RecordedRequest['messages']) ?? [],
          format: body.format,
          responseFormat: body.response_format,
          tools: body.tools as unknown[] | undefined,
          // Ollama streams unless told not to; OpenAI only when asked
          stream: api === 'ollama' ? body.stream !== false : body.stream === true,
          streamOptions: body.stream_options,
          headers: req.headers,
        }
        requests.push(recorded)
        if (!models.includes(recorded.model))
          return json(res, 404, { error: `model "${recorded.model}" not found, try pulling it first` })
        const reply = next(recorded)
        if (reply.hang) {
          hanging.add(res)
          res.on('close', () => hanging.delete(res))
          return
        }
        const answer = () => {
          if (reply.status && reply.status >= 400)
            return json(res, reply.status, { error: reply.error ?? 'scripted error' })
          if (kind === 'embedding') return embeddingsReply(res, recorded, reply)
          if (kind === 'completion')
            return api === 'ollama' ? generateReply(res, recorded, reply) : completionReply(res, recorded, reply)
          return api === 'ollama' ? ollamaReply(res, recorded, reply) : openAiReply(res, recorded, reply)
        }
        if (reply.delayMs && reply.delayMs > 0) {
          const timer = setTimeout(() => {
            delayed.delete(timer)
            // the client may have given up meanwhile: a late answer goes nowhere
            if (!res.destroyed) answer()
          }, reply.delayMs)
          delayed.add(timer)
          res.on('close', () => {
            clearTimeout(timer)
            delayed.delete(timer)
          })
          return
        }
        return answer()
      }
      json(res, 404, { error: 'not found' })
    } catch (error) {
      json(res, 400, { error: String(error) })
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(s) {
      script = s
    },
    async close() {
      for (const timer of delayed) clearTimeout(timer)
      delayed.clear()
      for (const res of hanging) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (body += c))
    req.on('end', () => resolve(body))
    req.on('error', reject)
  })
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const words = (text: string) => text.match(/\S+\s*|\s+/g) ?? ['']

function ollamaReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const content = reply.content ?? ''
  const toolCalls = reply.toolCalls?.map((c) => ({ function: { name: c.name, arguments: c.arguments } }))
  const base = { model: req.model, created_at: new Date(0).toISOString() }
  const calls = toolCalls ? { tool_calls: toolCalls } : {}
  const final = {
    ...base,
    message: { role: 'assistant', content: req.stream ? '' : content, ...(req.stream ? {} : calls) },
    ...ollamaDone(reply),
  }
  if (!req.stream) return json(res, 200, final)
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  for (const w of words(content))
    res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content: w }, done: false })}\n`)
  // Ollama streams the tool calls in a chunk of their own, before the last one
  if (toolCalls)
    res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content: '', ...calls }, done: false })}\n`)
  res.end(`${JSON.stringify(final)}\n`)
}

const ollamaDone = (reply: ScriptedReply) => ({
  done: true,
  done_reason: 'stop',
  total_duration: 1,
  ...(reply.usage
    ? { prompt_eval_count: reply.usage.promptTokens, eval_count: reply.usage.completionTokens }
    : { eval_count: 1 }),
})

/** Ollama /api/generate: `response` pieces instead of a message. */
function generateReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const content = reply.content ?? ''
  const base = { model: req.model, created_at: new Date(0).toISOString() }
  if (!req.stream) return json(res, 200, { ...base, response: content, ...ollamaDone(reply) })
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  for (const w of words(content)) res.write(`${JSON.stringify({ ...base, response: w, done: false })}\n`)
  res.end(`${JSON.stringify({ ...base, response: '', ...ollamaDone(reply) })}\n`)
}

const openAiUsage = (reply: ScriptedReply) =>
  reply.usage && {
    prompt_tokens: reply.usage.promptTokens,
    completion_tokens: reply.usage.completionTokens,
    total_tokens: reply.usage.promptTokens + reply.usage.completionTokens,
  }

/** SSE events, then the usage event when the request asked for it (stream_options.include_usage), then [DONE]. */
function sse(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply, events: unknown[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`)
  const usage = openAiUsage(reply)
  const includeUsage = (req.streamOptions as { include_usage?: unknown } | undefined)?.include_usage === true
  if (usage && includeUsage) res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`)
  res.end('data: [DONE]\n\n')
}

/** OpenAI /v1/completions: `text` pieces. */
function completionReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const content = reply.content ?? ''
  const base = { id: 'scripted', object: 'text_completion', created: 0, model: req.model }
  const usage = openAiUsage(reply)
  if (!req.stream)
    return json(res, 200, {
      ...base,
      choices: [{ index: 0, text: content, finish_reason: 'stop', logprobs: null }],
      ...(usage ? { usage } : {}),
    })
  const piece = (text: string, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
  })
  sse(res, req, reply, [...words(content).map((w) => piece(w, null)), piece('', 'stop')])
}

/** OpenAI /v1/embeddings, as floats or, when asked (the openai client's default), base64 of little-endian float32. */
function embeddingsReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const input = req.body.input
  const inputs = (Array.isArray(input) ? input : [input]).map((t) => (typeof t === 'string' ? t : JSON.stringify(t)))
  const base64 = req.body.encoding_format === 'base64'
  const data = inputs.map((text, index) => {
    const vector = reply.embeddings?.[index] ?? [text.length, words(text).length]
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector
    return { object: 'embedding', index, embedding }
  })
  const usage = openAiUsage(reply)
  json(res, 200, {
    object: 'list',
    data,
    model: req.model,
    usage: usage ? { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } : undefined,
  })
}

function openAiReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const content = reply.content ?? ''
  const toolCalls = reply.toolCalls?.map((c, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
  }))
  const finish = toolCalls ? 'tool_calls' : 'stop'
  const usage = openAiUsage(reply)
  if (!req.stream) {
    return json(res, 200, {
      id: 'scripted',
      object: 'chat.completion',
      model: req.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          finish_reason: finish,
        },
      ],
      ...(usage ? { usage } : {}),
    })
  }
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) => ({
    choices: [{ index: 0, delta: d, finish_reason: finishReason }],
  })
  // the first delta names the role, as OpenAI's do (the openai client's stream helper needs it)
  const events = words(content).map((w, i) => delta(i === 0 ? { role: 'assistant', content: w } : { content: w }))
  // a tool call as OpenAI streams it: id, type and name first, then its arguments in pieces
  for (const [index, call] of (toolCalls ?? []).entries()) {
    events.push(
      delta({
        tool_calls: [{ index, id: call.id, type: call.type, function: { name: call.function.name, arguments: '' } }],
      }),
    )
    for (const piece of call.function.arguments.match(/.{1,6}/gs) ?? [])
      events.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }))
  }
  events.push(delta({}, finish))
  sse(res, req, reply, events)
}
