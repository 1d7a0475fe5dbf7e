/** The page's one way to the server: same origin, the one-time token in a header, JSON both ways. */
const token = new URLSearchParams(location.search).get('token') ?? ''

export const eventsUrl = (path: string) => `${path}?token=${encodeURIComponent(token)}`

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}

export async function call<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-hermit-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string; hint?: string } }
  if (!res.ok)
    throw new ApiError(json.error?.message ?? res.statusText, json.error?.code ?? String(res.status), json.error?.hint)
  return json as T
}

/** EIP-1193: the browser's injected wallet, when there is one. */
export type Eip1193 = { request(args: { method: string; params?: unknown[] }): Promise<unknown> }
export const injectedWallet = (): Eip1193 | undefined => (window as unknown as { ethereum?: Eip1193 }).ethereum
