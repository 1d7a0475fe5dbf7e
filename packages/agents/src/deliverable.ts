import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { keccak256, verifyMessage, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { fetchUri } from '@hermit/erc8004'
import { writeFileAtomic } from '@hermit/chain'
import { DeliverableError } from './errors.ts'
import type { Escrow } from './handle.ts'

/** What `submitWork` puts on-chain for a deliverable: keccak256 of its bytes. */
export const deliverableHash = (bytes: Uint8Array): Hash => keccak256(bytes)

/**
 * The provider's copy of every deliverable, on disk and written (fsync, rename) *before* its hash
 * goes on-chain: a provider that crashes after submitting still serves what it was paid for.
 */
export class DeliverableStore {
  constructor(private readonly dir: string) {}

  private path(escrow: Address, jobId: bigint): string {
    return join(this.dir, 'deliverables', `${escrow.toLowerCase()}-${jobId}.bin`)
  }

  put(escrow: Address, jobId: bigint, bytes: Uint8Array): Hash {
    writeFileAtomic(this.path(escrow, jobId), bytes, 0o644)
    return deliverableHash(bytes)
  }

  get(escrow: Address, jobId: bigint): Uint8Array | undefined {
    const p = this.path(escrow, jobId)
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined
  }
}

/** The message a client or evaluator signs to fetch a deliverable (fresh for five minutes). */
export function deliverableAuthMessage(chainId: number, escrow: Address, jobId: bigint, issuedAt: number): string {
  return `hermit deliverable\nchain: ${chainId}\nescrow: ${escrow.toLowerCase()}\njob: ${jobId}\nissued: ${issuedAt}`
}

export const DELIVERABLE_AUTH_HEADER = 'x-hermit-deliverable-auth'

/** Only the job's client and evaluator may read a deliverable: the request is signed by one of them. */
export async function checkDeliverableAuth(options: {
  header: string | undefined
  chainId: number
  escrow: Address
  jobId: bigint
  allowed: readonly Address[]
  now?: number
}): Promise<boolean> {
  if (!options.header) return false
  const m = /^(\d{1,12}):(0x[0-9a-fA-F]{130})$/.exec(options.header)
  if (!m) return false
  const issuedAt = Number(m[1])
  const now = options.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - issuedAt) > 300) return false
  const message = deliverableAuthMessage(options.chainId, options.escrow, options.jobId, issuedAt)
  for (const address of options.allowed) {
    if (await verifyMessage({ address, message, signature: m[2] as Hex }).catch(() => false)) return true
  }
  return false
}

/**
 * Fetches a job's deliverable from the provider's endpoint, signed as `account` (the client or
 * the evaluator), and checks it against the hash on-chain: a provider cannot swap the work after
 * submitting, and a wrong or truncated answer is an error, never a result.
 */
export async function fetchDeliverable(options: {
  endpoint: string
  escrow: Escrow
  jobId: bigint
  expected: Hash
  account: LocalAccount
  maxBytes?: number
  timeoutMs?: number
}): Promise<Uint8Array> {
  const issuedAt = Math.floor(Date.now() / 1000)
  const signature = await options.account.signMessage({
    message: deliverableAuthMessage(
      options.escrow.publicClient.chain.id,
      options.escrow.address,
      options.jobId,
      issuedAt,
    ),
  })
  const url = `${options.endpoint.replace(/\/$/, '')}/jobs/${options.jobId}/deliverable`
  let bytes: Uint8Array
  try {
    bytes = await fetchUri(url, {
      maxBytes: options.maxBytes ?? 1024 * 1024,
      timeoutMs: options.timeoutMs ?? 10_000,
      // no redirects: the signed header must not travel to another host, nor plain http leave loopback
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          redirect: 'error',
          headers: { ...(init?.headers ?? {}), [DELIVERABLE_AUTH_HEADER]: `${issuedAt}:${signature}` },
        }),
    })
  } catch (cause) {
    throw new DeliverableError(
      'AGENTS_DELIVERABLE_UNAVAILABLE',
      `Could not fetch the deliverable of job ${options.jobId} from ${url}.`,
      { cause, details: { jobId: options.jobId.toString(), url } },
    )
  }
  const got = deliverableHash(bytes)
  if (got !== options.expected) {
    throw new DeliverableError(
      'AGENTS_DELIVERABLE_MISMATCH',
      `The deliverable of job ${options.jobId} does not match its on-chain hash.`,
      {
        hint: 'The provider served something other than what it submitted: reject it.',
        details: { jobId: options.jobId.toString(), expected: options.expected, got },
      },
    )
  }
  return bytes
}
