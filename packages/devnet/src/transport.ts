/**
 * The devnet's JSON-RPC transport: viem's http without its retries (a refusal or a revert must
 * surface at once, and a sent transaction is never sent twice), except for one case. A read whose
 * connection was reset before any answer came back is sent once more: anvil answered nothing, and a
 * read changes nothing, so the second try is exactly the first. (One such reset, on an
 * `eth_blockNumber` poll of a devnet under the full suite's load, once failed `pnpm demo`'s test;
 * its cause inside anvil or the socket layer is not known.)
 */
import { http, type HttpTransport } from 'viem'

/** Methods that only read: safe to send again. Sends, signs, snapshots, reverts and mining are not. */
const READ =
  /^(eth_(get\w+|call|blockNumber|chainId|estimateGas|gasPrice|feeHistory|maxPriorityFeePerGas)|net_\w+|web3_\w+)$/

/** A connection that the peer dropped (RST, or closed before the answer): nothing was answered. */
function isReset(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause
  return error instanceof TypeError && ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(String(cause?.code))
}

/** True when every call in the JSON-RPC body (one or a batch) is a read. */
export function onlyReads(body: unknown): boolean {
  if (typeof body !== 'string') return false
  try {
    const parsed: unknown = JSON.parse(body)
    const calls = Array.isArray(parsed) ? parsed : [parsed]
    return (
      calls.length > 0 &&
      calls.every(
        (c) => typeof (c as { method?: unknown })?.method === 'string' && READ.test((c as { method: string }).method),
      )
    )
  } catch {
    return false
  }
}

/** `fetch`, with a read sent once more when its connection was reset. */
export const retryResetReads: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init)
  } catch (error) {
    if (!isReset(error) || !onlyReads(init?.body) || init?.signal?.aborted) throw error
    return fetch(input, init)
  }
}

/** The transport every devnet client uses. */
export function devnetTransport(rpcUrl: string): HttpTransport {
  return http(rpcUrl, { retryCount: 0, fetchFn: retryResetReads })
}
