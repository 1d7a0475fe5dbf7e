import { existsSync, readFileSync, unlinkSync } from 'node:fs'
import { z } from 'zod'
import { TicketError } from './errors.ts'
import { writeFileAtomic } from '@hermit/chain'
import { claimPidFile, processAlive, takeOverStaleLock } from './fsutil.ts'

/**
 * Ticket state is money: reusing an index gets an honest user slashed. The next index is written
 * to disk (fsync, under a file lock) *before* a proof for it exists, so a crash, a retry or two
 * parallel calls — in one process or several — can never hand out the same index twice. A crash
 * after reserving only burns that one ticket.
 */
const stateSchema = z.strictObject({
  version: z.literal(1),
  pool: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  chainId: z.number().int().positive(),
  leafIndex: z.number().int().nonnegative(),
  tickets: z.number().int().positive(),
  /** Derives this deposit's own secret from the identity (ZkIdentity.depositSecret). */
  secretNonce: z.string().regex(/^\d+$/),
  /** The deposited leaf: binds the file to the one identity whose secret gives it (checked before any index is reserved). */
  leaf: z.string().regex(/^\d+$/).optional(),
  next: z.number().int().nonnegative(),
})
export type TicketState = z.output<typeof stateSchema>

/** An exclusive lock file holding our pid; a lock left by a dead process is taken over. */
async function withFileLock<T>(path: string, fn: () => T, timeoutMs = 10_000): Promise<T> {
  const lock = `${path}.lock`
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; ; attempt++) {
    const lockState = claimPidFile(lock)
    if (lockState.claimed) break
    if (lockState.content === null) continue // released meanwhile
    const owner = Number(lockState.content.trim() || '0')
    // stale: its process died holding it; taken over atomically (see takeOverStaleLock)
    if (owner > 0 && !processAlive(owner) && takeOverStaleLock(lock, lockState.content)) continue
    if (Date.now() > deadline)
      throw new TicketError('ZKPAY_TICKETS_LOCKED', `Ticket file ${path} stays locked by process ${owner}.`, {
        hint: 'Another client is using these tickets; wait or stop it.',
      })
    await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt)))
  }
  try {
    return fn()
  } finally {
    unlinkSync(lock)
  }
}

export class TicketStore {
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(readonly path: string) {}

  /** Creates the state of a new deposit (refuses to overwrite one: that could rewind the index). */
  static create(path: string, init: Omit<TicketState, 'version' | 'next'>): TicketStore {
    if (existsSync(path))
      throw new TicketError('ZKPAY_TICKETS_EXIST', `Ticket file ${path} already exists.`, {
        hint: 'Open it with TicketStore.open(); never recreate it, that would reuse tickets.',
      })
    writeFileAtomic(path, `${JSON.stringify({ version: 1, ...init, next: 0 })}\n`)
    return new TicketStore(path)
  }

  static open(path: string): TicketStore {
    const store = new TicketStore(path)
    store.read()
    return store
  }

  read(): TicketState {
    let json: unknown
    try {
      json = JSON.parse(readFileSync(this.path, 'utf8'))
    } catch (cause) {
      throw new TicketError('ZKPAY_TICKETS_UNREADABLE', `Cannot read ticket file ${this.path}.`, {
        cause,
        hint: 'Pass the ticket file your deposit wrote (`hermit pay deposit -t`); without it the deposit cannot be spent.',
      })
    }
    const parsed = stateSchema.safeParse(json)
    if (!parsed.success)
      throw new TicketError(
        'ZKPAY_TICKETS_INVALID',
        `Ticket file ${this.path}: field ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      )
    return parsed.data
  }

  remaining(): number {
    const s = this.read()
    return s.tickets - s.next
  }

  /** The next unused ticket index, already persisted as used when this resolves. */
  reserve(): Promise<number> {
    const run = this.queue.then(() =>
      withFileLock(this.path, () => {
        const s = this.read()
        if (s.next >= s.tickets)
          throw new TicketError(
            'ZKPAY_TICKETS_EXHAUSTED',
            `All ${s.tickets} tickets of deposit #${s.leafIndex} are spent.`,
            {
              hint: 'Deposit again to buy more calls.',
            },
          )
        writeFileAtomic(this.path, `${JSON.stringify({ ...s, next: s.next + 1 })}\n`)
        return s.next
      }),
    )
    this.queue = run.catch(() => undefined)
    return run
  }
}
