import type { Intent } from '../intent.ts'

/**
 * One family of actions (sends, swaps…). `read` looks at the main clause: null when the clause is
 * not this family's, an intent when it is, or it throws `Unreadable`. `more` is given each later
 * clause ("…, no worse than 0.3 ETH") and returns the intent with it read in, or null when it
 * cannot read it (the whole reading is then unknown).
 */
export type Family = {
  name: string
  read(clause: string, addresses: string[]): Intent | null
  more?(intent: Intent, clause: string, addresses: string[]): Intent | null
  /** After every clause is read: why the reading is still incomplete (it is then unknown), or null. */
  done?(intent: Intent): string | null
}

export type Groups = Record<string, string | undefined>

export function groups(re: RegExp, text: string): Groups | null {
  const m = re.exec(text)
  return m === null ? null : (m.groups ?? {})
}
