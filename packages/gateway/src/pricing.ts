/**
 * Priced by size. A ticket buys `tokensPerTicket` tokens, prompt and answer together. A call's size
 * is its prompt (estimated from the body: one token per 4 bytes, an over-estimate for JSON) plus the
 * answer it may get (`max_tokens` / `max_completion_tokens` / `num_predict`, else a default). The
 * ticket count is rounded up to a power of two, so the gateway learns a size class, not a size.
 * The proxy and the gateway run this same function: they agree on k without talking.
 */
import { z } from 'zod'

export type Api = 'openai' | 'ollama'
export type RouteKind = 'chat' | 'completion' | 'embedding'
export type PaidRoute = { api: Api; kind: RouteKind }

export const PAID_ROUTES: Readonly<Record<string, PaidRoute>> = {
  '/v1/chat/completions': { api: 'openai', kind: 'chat' },
  '/v1/completions': { api: 'openai', kind: 'completion' },
  '/v1/embeddings': { api: 'openai', kind: 'embedding' },
  '/api/chat': { api: 'ollama', kind: 'chat' },
  '/api/generate': { api: 'ollama', kind: 'completion' },
}
/** Model lists: free, forwarded as they are. */
export const FREE_ROUTES: ReadonlySet<string> = new Set(['/v1/models', '/api/tags'])

export const apiOf = (path: string): Api => (path.startsWith('/api/') ? 'ollama' : 'openai')

export type Pricing = {
  tokensPerTicket: number
  /** The answer budget of a call that names none (default 256). */
  defaultMaxTokens?: number
  /** At most this many tickets in one call (default 64, the protocol's bound). */
  maxTickets?: number
}

export type Quote = {
  promptTokens: number
  /** The answer budget the client asked for (or the default). */
  askedTokens: number
  /** Tickets to pay: a power of two. */
  tickets: number
  /** What the answer may use once paid: everything the tickets buy beyond the prompt. */
  outputBudget: number
}

const budgetFields = z
  .object({
    max_tokens: z.number().int().optional(),
    max_completion_tokens: z.number().int().optional(),
    options: z.object({ num_predict: z.number().int().optional() }).loose().optional(),
  })
  .loose()

/** The answer budget a request names, if any (Ollama's negative num_predict means "no limit": none named). */
export function askedOutput(route: PaidRoute, json: unknown): number | undefined {
  if (route.kind === 'embedding') return 0
  const parsed = budgetFields.safeParse(json)
  if (!parsed.success) return undefined
  const b = parsed.data
  const asked = route.api === 'ollama' ? b.options?.num_predict : (b.max_completion_tokens ?? b.max_tokens)
  return asked !== undefined && asked >= 0 ? asked : undefined
}

export const nextPowerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(Math.max(1, n)))

export function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'))
  } catch {
    return undefined
  }
}

/** A body both APIs take: a JSON object (an array, a string or bytes that are not JSON are not a request). */
export function isJsonObject(body: Uint8Array): boolean {
  const parsed = parseJson(body)
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
}

export function quote(route: PaidRoute, body: Uint8Array, pricing: Pricing): Quote {
  const promptTokens = Math.ceil(body.length / 4)
  const askedTokens = askedOutput(route, parseJson(body)) ?? pricing.defaultMaxTokens ?? 256
  const tickets = nextPowerOfTwo(Math.ceil((promptTokens + askedTokens) / pricing.tokensPerTicket))
  return { promptTokens, askedTokens, tickets, outputBudget: tickets * pricing.tokensPerTicket - promptTokens }
}

/** tokensPerTicket from a pool's price per ticket and a price per 1000 tokens (both base units). */
export function tokensPerTicketFor(pricePerTicket: bigint, pricePer1kTokens: bigint): number {
  if (pricePer1kTokens <= 0n) return Number.NaN
  return Number((pricePerTicket * 1000n) / pricePer1kTokens)
}
