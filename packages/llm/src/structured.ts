import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import { LlmError, LlmOutputError } from './errors.ts'
import { integerLiteralProblem } from './integers.ts'
import { NO_MODEL_REASON } from './none.ts'
import type { ChatMessage, ChatReply, LlmProvider, LlmResult, TokenUsage, ToolCall, ToolSpec } from './types.ts'
import { sumUsage } from './usage.ts'

export type GenerateObjectOptions<S extends z.ZodType> = {
  messages: ChatMessage[]
  schema: S
  /** Extra attempts after a reply that is not valid JSON for the schema (default 2). */
  retries?: number
  timeoutMs?: number
  signal?: AbortSignal
  temperature?: number
}

/** Takes the JSON out of a reply that may wrap it in a code fence or prose. */
export function extractJson(text: string): unknown {
  return JSON.parse(jsonText(text))
}

/** The part of a reply that is the JSON value, as written (a code fence or prose around it dropped). */
export function jsonText(text: string): string {
  const trimmed = text.trim()
  const fenced = /^```(?:json)?\s*([\s\S]*?)\s*```$/i.exec(trimmed)
  const candidate = fenced ? fenced[1]! : trimmed
  try {
    JSON.parse(candidate)
    return candidate
  } catch {
    const start = candidate.indexOf('{')
    const end = candidate.lastIndexOf('}')
    if (start >= 0 && end > start) {
      const inner = candidate.slice(start, end + 1)
      JSON.parse(inner)
      return inner
    }
    throw new SyntaxError('no JSON object in the reply')
  }
}

/** zod judges the value; the integer check judges how it was written (`8e12` is not an integer here). */
function parseReply<S extends z.ZodType>(schema: S, jsonSchema: Record<string, unknown>, content: string): z.output<S> {
  const text = jsonText(content)
  const value = schema.parse(JSON.parse(text))
  const bad = integerLiteralProblem(text, jsonSchema)
  if (bad) {
    throw new z.ZodError([
      {
        code: 'custom',
        path: bad.path,
        message: `expected an integer written in plain digits, got ${bad.literal}`,
        input: bad.literal,
      },
    ])
  }
  return value
}

function describeProblem(error: unknown): { text: string; field?: string } {
  if (error instanceof z.ZodError) {
    const issue = error.issues[0]!
    const field = formatPath(issue.path)
    return { text: `field ${field}: ${issue.message}`, field }
  }
  return { text: `not JSON (${(error as Error)?.message ?? String(error)})` }
}

/**
 * Asks the model for a JSON value that `schema` accepts. Model output is untrusted: it is parsed
 * with zod, and a reply that fails is sent back with the problem, up to `retries` more times.
 * With the `none` provider the result is `{ consulted: false }`, never an invented answer.
 */
export async function generateObject<S extends z.ZodType>(
  provider: LlmProvider,
  options: GenerateObjectOptions<S>,
): Promise<LlmResult<z.output<S>>> {
  if (provider.kind === 'none') return { consulted: false, provider: 'none', reason: NO_MODEL_REASON }
  const jsonSchema = z.toJSONSchema(options.schema) as Record<string, unknown>
  const retries = options.retries ?? 2
  const messages = [...options.messages]
  const t0 = performance.now()
  let problem = { text: '' } as { text: string; field?: string }
  let last = ''
  const usage: Array<TokenUsage | undefined> = []
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const reply: ChatReply = await provider.chat({
      messages,
      jsonSchema,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
    })
    last = reply.content
    usage.push(reply.usage)
    try {
      const value = parseReply(options.schema, jsonSchema, reply.content)
      const total = sumUsage(usage)
      return {
        consulted: true,
        value,
        provider: provider.label,
        model: reply.model,
        attempts: attempt,
        durationMs: performance.now() - t0,
        ...(total ? { usage: total } : {}),
      }
    } catch (error) {
      problem = describeProblem(error)
      messages.push(
        { role: 'assistant', content: reply.content },
        {
          role: 'user',
          content: `Your reply was rejected: ${problem.text}. Answer again with only a JSON value that follows the schema.`,
        },
      )
    }
  }
  throw new LlmOutputError(
    'LLM_INVALID_OUTPUT',
    `${provider.label} gave no valid answer after ${retries + 1} attempts: ${problem.text}`,
    {
      hint: 'Use a model that supports structured output, or raise `retries`.',
      details: { ...(problem.field ? { field: problem.field } : {}), lastReply: last.slice(0, 200) },
    },
  )
}

export type Tool<P extends z.ZodObject = z.ZodObject> = ToolSpec & {
  parameters: P
  run(args: z.output<P>): Promise<unknown> | unknown
}

export function defineTool<P extends z.ZodObject>(tool: Tool<P>): Tool<P> {
  return tool
}

export type ToolRunResult = {
  content: string
  model: string
  steps: number
  transcript: ChatMessage[]
  calls: ToolCall[]
  /** Summed over every round; absent unless the backend counted tokens for each of them. */
  usage?: TokenUsage
}

/**
 * Lets the model call tools until it answers in words (at most `maxSteps` rounds). Tool arguments
 * come from the model, so each is checked against the tool's zod schema before `run` sees it.
 */
export async function runWithTools(
  provider: LlmProvider,
  options: { messages: ChatMessage[]; tools: Tool[]; maxSteps?: number; timeoutMs?: number; signal?: AbortSignal },
): Promise<ToolRunResult> {
  if (provider.kind === 'none') throw new LlmError('LLM_NONE', NO_MODEL_REASON)
  const byName = new Map(options.tools.map((t) => [t.name, t]))
  const transcript = [...options.messages]
  const calls: ToolCall[] = []
  const maxSteps = options.maxSteps ?? 4
  const usage: Array<TokenUsage | undefined> = []
  for (let step = 1; step <= maxSteps; step++) {
    const reply = await provider.chat({
      messages: transcript,
      tools: options.tools,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    usage.push(reply.usage)
    if (reply.toolCalls.length === 0) {
      const total = sumUsage(usage)
      return {
        content: reply.content,
        model: reply.model,
        steps: step,
        transcript,
        calls,
        ...(total ? { usage: total } : {}),
      }
    }
    transcript.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls })
    for (const call of reply.toolCalls) {
      calls.push(call)
      const tool = byName.get(call.name)
      let result: string
      if (!tool) result = JSON.stringify({ error: `unknown tool ${call.name}` })
      else {
        const args = tool.parameters.safeParse(call.arguments)
        if (!args.success) result = JSON.stringify({ error: `invalid arguments: ${describeProblem(args.error).text}` })
        else result = JSON.stringify(await tool.run(args.data), (_, v) => (typeof v === 'bigint' ? v.toString() : v))
      }
      transcript.push({ role: 'tool', toolName: call.name, content: result })
    }
  }
  throw new LlmOutputError(
    'LLM_TOO_MANY_STEPS',
    `${provider.label} was still calling tools after ${maxSteps} rounds.`,
    { hint: 'Raise maxSteps or simplify the task.' },
  )
}
