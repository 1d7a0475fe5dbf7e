/**
 * A SCRIPTED TEST DOUBLE of a model server — no model runs here. It speaks enough of the Ollama
 * API (/api/version, /api/tags, /api/chat, streaming or not) and of the OpenAI-compatible API
 * (/v1/chat/completions, SSE streaming) to drive the real clients, and answers from a script.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type ScriptedReply = {
  content?: string
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>
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
      if (req.method === 'POST' && (url.pathname === '/api/chat' || url.pathname === '/v1/chat/completions')) {
        const body = JSON.parse(await readBody(req)) as Record<string, unknown>
        const api = url.pathname === '/api/chat' ? 'ollama' : 'openai'
        const recorded: RecordedRequest = {
          api,
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
  const final = {
    ...base,
    message: { role: 'assistant', content: req.stream ? '' : content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
    done: true,
    done_reason: 'stop',
    total_duration: 1,
    ...(reply.usage
      ? { prompt_eval_count: reply.usage.promptTokens, eval_count: reply.usage.completionTokens }
      : { eval_count: 1 }),
  }
  if (!req.stream) return json(res, 200, final)
  res.writeHead(200, { 'content-type': 'application/x-ndjson' })
  for (const w of words(content))
    res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content: w }, done: false })}\n`)
  res.end(`${JSON.stringify(final)}\n`)
}

function openAiReply(res: ServerResponse, req: RecordedRequest, reply: ScriptedReply): void {
  const content = reply.content ?? ''
  const toolCalls = reply.toolCalls?.map((c, i) => ({
    id: `call_${i}`,
    type: 'function',
    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
  }))
  const usage = reply.usage && {
    prompt_tokens: reply.usage.promptTokens,
    completion_tokens: reply.usage.completionTokens,
    total_tokens: reply.usage.promptTokens + reply.usage.completionTokens,
  }
  if (!req.stream) {
    return json(res, 200, {
      id: 'scripted',
      object: 'chat.completion',
      model: req.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          finish_reason: 'stop',
        },
      ],
      ...(usage ? { usage } : {}),
    })
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' })
  for (const w of words(content))
    res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`)
  res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`)
  const includeUsage = (req.streamOptions as { include_usage?: unknown } | undefined)?.include_usage === true
  if (usage && includeUsage) res.write(`data: ${JSON.stringify({ choices: [], usage })}\n\n`)
  res.end('data: [DONE]\n\n')
}
