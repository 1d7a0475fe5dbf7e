import { existsSync, readFileSync } from 'node:fs'
import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { writeFileAtomic } from '@hermit/chain'
import { RequestInvalidError } from './errors.ts'

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)

const entrySchema = z.strictObject({
  chainId: z.number().int().positive(),
  user: address,
  counterparties: z.array(address).max(64),
  verdict: z.enum(['allow', 'warn', 'block']),
  /** true once the request was really signed or sent (by `hermit guard`), not only checked. */
  signed: z.boolean(),
  at: z.number().int().nonnegative(),
})
export type RecordEntry = z.output<typeof entrySchema>

const fileSchema = z.strictObject({ version: z.literal(1), entries: z.array(entrySchema) })

/**
 * What the user checked and signed through Hermit, in a small JSON file (written atomically, owner
 * only). A counterparty counts as one the user dealt with once a request to it was signed, or
 * checked and allowed. Bounded: the oldest entries are dropped past `maxEntries`.
 */
export class SigningRecord {
  readonly path: string
  readonly maxEntries: number
  #entries: RecordEntry[] | undefined

  constructor(path: string, options: { maxEntries?: number } = {}) {
    this.path = path
    this.maxEntries = options.maxEntries ?? 2000
  }

  entries(): RecordEntry[] {
    if (this.#entries) return this.#entries
    if (!existsSync(this.path)) return (this.#entries = [])
    let raw: unknown
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'))
    } catch (cause) {
      throw new RequestInvalidError('TXGUARD_RECORD_INVALID', `The signing record ${this.path} is not valid JSON.`, {
        cause,
        hint: 'Move the file away: Hermit starts a new record.',
      })
    }
    const parsed = fileSchema.safeParse(raw)
    if (!parsed.success)
      throw new RequestInvalidError('TXGUARD_RECORD_INVALID', `The signing record ${this.path} has an unknown shape.`, {
        cause: parsed.error,
        hint: 'Move the file away: Hermit starts a new record.',
      })
    return (this.#entries = parsed.data.entries)
  }

  /** Counterparties the user signed for, or checked and was allowed, on this chain. */
  counterparties(chainId: number, user: Address): Address[] {
    const out = new Set<Address>()
    for (const e of this.entries())
      if (e.chainId === chainId && e.user === getAddress(user) && (e.signed || e.verdict === 'allow'))
        for (const c of e.counterparties) out.add(c)
    return [...out]
  }

  note(entry: z.input<typeof entrySchema>): void {
    const next = [...this.entries(), entrySchema.parse(entry)].slice(-this.maxEntries)
    writeFileAtomic(this.path, `${JSON.stringify({ version: 1, entries: next }, null, 1)}\n`)
    this.#entries = next
  }
}
