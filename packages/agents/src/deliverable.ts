import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { keccak256, verifyMessage, type Address, type Hash, type Hex, type LocalAccount } from 'viem'
import { fetchUri } from '@hermit/erc8004'
import { writeFileAtomic } from '@hermit/zkpay'
import { DeliverableError } from './errors.ts'
import type { Escrow } from './escrow.ts'

/** What `submit` puts on-chain for a deliverable: keccak256 of its bytes. */
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
export async function checkDeliverableAuth(o: {
  header: string | undefined
  chainId: number
  escrow: Address
  jobId: bigint
  allowed: readonly Address[]
  now?: number
}): Promise<boolean> {
  if (!o.header) return false
  const m = /^(\d{1,12}):(0x[0-9a-fA-F]{130})$/.exec(o.header)
  if (!m) return false
  const issuedAt = Number(m[1])
  const now = o.now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(now - issuedAt) > 300) return false
  const message = deliverableAuthMessage(o.chainId, o.escrow, o.jobId, issuedAt)
  for (const address of o.allowed) {
    if (await verifyMessage({ address, message, signature: m[2] as Hex }).catch(() => false)) return true
  }
  return false
}

/**
 * Fetches a job's deliverable from the provider's endpoint, signed as `account` (the client or
 * the evaluator), and checks it against the hash on-chain: a provider cannot swap the work after
 * submitting, and a wrong or truncated answer is an error, never a result.
 */
export async function fetchDeliverable(o: {
  endpoint: string
  escrow: Escrow
  jobId: bigint
  expected: Hash
  account: LocalAccount
  maxBytes?: number
  timeoutMs?: number
}): Promise<Uint8Array> {
  const issuedAt = Math.floor(Date.now() / 1000)
  const signature = await o.account.signMessage({
    message: deliverableAuthMessage(o.escrow.publicClient.chain.id, o.escrow.address, o.jobId, issuedAt),
  })
  const url = `${o.endpoint.replace(/\/$/, '')}/jobs/${o.jobId}/deliverable`
  let bytes: Uint8Array
  try {
    bytes = await fetchUri(url, {
      maxBytes: o.maxBytes ?? 1024 * 1024,
      timeoutMs: o.timeoutMs ?? 10_000,
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
      'DELIVERABLE_UNAVAILABLE',
      `Could not fetch the deliverable of job ${o.jobId} from ${url}.`,
      { cause, details: { jobId: o.jobId.toString(), url } },
    )
  }
  const got = deliverableHash(bytes)
  if (got !== o.expected) {
    throw new DeliverableError(
      'DELIVERABLE_MISMATCH',
      `The deliverable of job ${o.jobId} does not match its on-chain hash.`,
      {
        hint: 'The provider served something other than what it submitted: reject it.',
        details: { jobId: o.jobId.toString(), expected: o.expected, got },
      },
    )
  }
  return bytes
}
