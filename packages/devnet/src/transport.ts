/**
 * The devnet's JSON-RPC transport: viem's http without its retries (a refusal or a revert must
 * surface at once, and a sent transaction is never sent twice), except for one case. A read whose
 * connection was reset before any answer came back is sent once more: anvil answered nothing, and a
 * read changes nothing, so the second try is exactly the first. (One such reset, on an
 * `eth_blockNumber` poll of a devnet under the full suite's load, once failed `pnpm demo`'s test;
 * its cause inside anvil or the socket layer is not known.)
 */
import { http, type HttpTransport } from 'viem'
import type { AnvilExit, AnvilProcess } from './anvil.ts'
import { DevnetError } from './errors.ts'

/** Methods that only read: safe to send again. Sends, signs, snapshots, reverts and mining are not. */
const READ =
  /^(eth_(get\w+|call|blockNumber|chainId|estimateGas|gasPrice|feeHistory|maxPriorityFeePerGas)|net_\w+|web3_\w+)$/

const causeCode = (error: unknown) => String((error as { cause?: { code?: unknown } } | undefined)?.cause?.code)

/** A connection that the peer dropped (RST, or closed before the answer): nothing was answered. */
function isReset(error: unknown): boolean {
  return error instanceof TypeError && ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(causeCode(error))
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
const retryResetReads: typeof fetch = async (input, init) => {
  try {
    return await fetch(input, init)
  } catch (error) {
    if (!isReset(error) || !onlyReads(init?.body) || init?.signal?.aborted) throw error
    return fetch(input, init)
  }
}

/** How long a failed connection waits to learn whether anvil has just exited (only on that failure). */
const EXIT_NOTICE_MS = 250

/**
 * The transport every devnet client uses. With the anvil process it talks to (a devnet started
 * here), a connection refused or reset because anvil is gone says so: DEVNET_ANVIL_EXITED, with how
 * it ended and the end of its stderr, instead of a bare "fetch failed".
 */
export function devnetTransport(rpcUrl: string, anvil?: Pick<AnvilProcess, 'exit' | 'exited'>): HttpTransport {
  const fetchFn: typeof fetch = !anvil
    ? retryResetReads
    : async (input, init) => {
        try {
          return await retryResetReads(input, init)
        } catch (error) {
          if (!(error instanceof TypeError) || !(isReset(error) || causeCode(error) === 'ECONNREFUSED')) throw error
          await Promise.race([anvil.exited, new Promise((r) => setTimeout(r, EXIT_NOTICE_MS).unref())])
          const exit = anvil.exit
          if (!exit) throw error
          throw anvilExitedError(exit, error)
        }
      }
  return http(rpcUrl, { retryCount: 0, fetchFn })
}

/** DEVNET_ANVIL_EXITED for an anvil that is gone: stopped, or died (how, and its stderr's end). */
export function anvilExitedError(exit: AnvilExit, cause?: unknown): DevnetError {
  const how = exit.stopped ? 'was stopped' : `exited on its own (${exit.signal ?? `code ${exit.code}`})`
  return new DevnetError('DEVNET_ANVIL_EXITED', `The devnet's anvil ${how}; its RPC no longer answers.`, {
    ...(cause === undefined ? {} : { cause }),
    hint: exit.stopped
      ? 'Something still used a devnet (or fork) after stop(): stop it after its last call.'
      : 'Anvil died under this program: its last stderr lines are in the details.',
    details: { code: exit.code, signal: exit.signal, stderr: exit.stderr },
  })
}
