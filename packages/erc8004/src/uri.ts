import { keccak256 } from 'viem'
import { z } from 'zod'
import { shortMessageOf } from '@hermit/errors'
import { AgentUriError } from './errors.ts'

export const uriOptionsSchema = z.strictObject({
  /** Gateway for ipfs:// URIs, e.g. https://ipfs.io or a local node's http://127.0.0.1:8080. */
  ipfsGateway: z.url().default('https://ipfs.io'),
  /** Largest file accepted, in bytes (default 256 KiB). */
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  timeoutMs: z.number().int().positive().default(10_000),
  /** Plain http:// is refused except on loopback unless this is set. */
  allowInsecureHttp: z.boolean().default(false),
})
export type UriOptions = z.input<typeof uriOptionsSchema> & { fetch?: typeof fetch }

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Builds a `data:application/json;base64,…` URI, the fully on-chain way to publish a file. */
export function toDataUri(json: unknown): string {
  return `data:application/json;base64,${Buffer.from(JSON.stringify(json), 'utf8').toString('base64')}`
}

/** The bytes a URI points at: data: (base64 or percent-encoded), https://, ipfs:// via a gateway. */
export async function fetchUri(uri: string, options: UriOptions = {}): Promise<Uint8Array> {
  const { fetch: customFetch, ...settings } = options
  const parsed = uriOptionsSchema.safeParse(settings)
  if (!parsed.success)
    throw new AgentUriError(
      'ERC8004_URI_BAD_OPTIONS',
      `Invalid URI options: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    )
  const limits = parsed.data
  const doFetch = customFetch ?? fetch
  const short = uri.length > 80 ? `${uri.slice(0, 77)}…` : uri
  if (uri.startsWith('data:')) {
    const comma = uri.indexOf(',')
    if (comma < 0) throw new AgentUriError('ERC8004_URI_INVALID', `Malformed data: URI ${short}.`)
    const meta = uri.slice(5, comma)
    const payload = uri.slice(comma + 1)
    const bytes = meta.endsWith(';base64')
      ? Buffer.from(payload, 'base64')
      : Buffer.from(decodeURIComponent(payload), 'utf8')
    if (bytes.length > limits.maxBytes) throw tooLarge(short, limits.maxBytes)
    return new Uint8Array(bytes)
  }
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw new AgentUriError('ERC8004_URI_INVALID', `Not a URI: ${short}.`)
  }
  let target: URL
  if (url.protocol === 'ipfs:') {
    const path = uri.slice('ipfs://'.length).replace(/^ipfs\//, '')
    target = new URL(`${limits.ipfsGateway.replace(/\/+$/, '')}/ipfs/${path}`)
  } else if (allowedTarget(url, limits.allowInsecureHttp)) {
    target = url
  } else {
    throw new AgentUriError('ERC8004_URI_SCHEME', `Unsupported URI scheme in ${short}.`, {
      hint: 'Use data:, https:// or ipfs:// (plain http:// only on loopback or with allowInsecureHttp).',
    })
  }
  const res = await fetchFollowing(doFetch, target, short, limits)
  if (!res.ok) throw new AgentUriError('ERC8004_URI_FETCH_FAILED', `Fetching ${short} gave HTTP ${res.status}.`)
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > limits.maxBytes) throw tooLarge(short, limits.maxBytes)
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length
      if (size > limits.maxBytes) throw tooLarge(short, limits.maxBytes)
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof AgentUriError) throw error
    throw new AgentUriError('ERC8004_URI_FETCH_FAILED', `Reading ${short} failed: ${(error as Error)?.message}`, {
      cause: error,
    })
  }
  return new Uint8Array(Buffer.concat(chunks))
}

/** https anywhere; plain http only on loopback, or anywhere when the caller allows it. */
function allowedTarget(url: URL, allowInsecureHttp: boolean): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && (allowInsecureHttp || LOOPBACK.has(url.hostname)))
}

const MAX_REDIRECTS = 5

/**
 * Fetches, following redirects by hand so that every hop passes the rules the first URL passed:
 * a redirect could otherwise take an https:// URI to plain http:// anywhere, or from a remote host
 * to a service on this machine's loopback.
 */
async function fetchFollowing(
  doFetch: typeof fetch,
  first: URL,
  short: string,
  limits: { timeoutMs: number; allowInsecureHttp: boolean },
): Promise<Response> {
  const signal = AbortSignal.timeout(limits.timeoutMs)
  let target = first
  for (let hop = 0; ; hop++) {
    let res: Response
    try {
      res = await doFetch(target, { signal, redirect: 'manual' })
    } catch (cause) {
      throw new AgentUriError(
        'ERC8004_URI_FETCH_FAILED',
        `Cannot fetch ${short}: ${(cause as Error)?.name === 'TimeoutError' ? `no answer in ${limits.timeoutMs} ms` : shortMessageOf(cause)}`,
        { cause },
      )
    }
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null
    if (location === null) return res
    await res.body?.cancel()
    if (hop >= MAX_REDIRECTS)
      throw new AgentUriError(
        'ERC8004_URI_FETCH_FAILED',
        `Fetching ${short} redirected more than ${MAX_REDIRECTS} times.`,
      )
    const next = new URL(location, target)
    const intoLoopback = LOOPBACK.has(next.hostname) && !LOOPBACK.has(target.hostname)
    if (!allowedTarget(next, limits.allowInsecureHttp) || intoLoopback)
      throw new AgentUriError('ERC8004_URI_SCHEME', `Fetching ${short} redirected to a URL it may not fetch.`, {
        hint: 'A redirect must keep to https:// (plain http:// only on loopback or with allowInsecureHttp).',
      })
    target = next
  }
}

/** Fetches a URI and parses it as JSON. */
export async function fetchJson(uri: string, options: UriOptions = {}): Promise<{ json: unknown; bytes: Uint8Array }> {
  const bytes = await fetchUri(uri, options)
  try {
    return { json: JSON.parse(Buffer.from(bytes).toString('utf8')), bytes }
  } catch (cause) {
    throw new AgentUriError('ERC8004_URI_NOT_JSON', `${uri.slice(0, 60)} is not JSON.`, { cause })
  }
}

function tooLarge(uri: string, max: number): AgentUriError {
  return new AgentUriError('ERC8004_URI_TOO_LARGE', `${uri} is larger than ${max} bytes.`, {
    hint: 'Raise maxBytes if you trust the source.',
  })
}

/** Where feedback / response files go: `put` returns the URI to write on-chain. */
export type FileStore = { put(bytes: Uint8Array, contentType: string): Promise<string> }

/** The default store: no server at all, the file travels on-chain as a data: URI. */
export const dataUriStore: FileStore = {
  async put(bytes, contentType) {
    return `data:${contentType};base64,${Buffer.from(bytes).toString('base64')}`
  },
}

/** Stores `json` (data: URI by default) and returns its URI with the keccak256 of the exact bytes stored. */
export async function storeJson(
  json: unknown,
  store: FileStore = dataUriStore,
): Promise<{ uri: string; hash: `0x${string}` }> {
  const bytes = new TextEncoder().encode(JSON.stringify(json))
  return { uri: await store.put(bytes, 'application/json'), hash: keccak256(bytes) }
}
