import type { Address } from 'viem'
/**
 * What the rules check: the user's words compiled by `@hermit/intent` to bounds on the simulated
 * effects — the most that may leave per asset, who may receive or spend, the least that must
 * arrive (and to whom), whether approvals or authority changes are allowed at all.
 */
export type { AssetRef, Constraints } from '@hermit/intent'
import type { AssetRef, Constraints } from '@hermit/intent'

/** The user's words as read: what the report shows as "your intent as read: …", and by whom. */
export type IntentReading = {
  text: string
  /** One line, plain words. */
  described: string
  /** Which reader produced the constraints: the deterministic parser, the model, or both agreeing. */
  reader: string
  /** null when the words were not understood: the rules then check no intent at all. */
  constraints: Constraints | null
  /** Disagreements, overrulings, unverified tokens: said in the report. */
  notes: string[]
  /** The words were read, but a name or symbol in them could not be resolved: what to add. */
  unresolved?: string
}

/** A token address the asset constraint names, or 'native'. */
export const refToken = (a: AssetRef): Address | 'native' => (a.kind === 'native' ? 'native' : a.token)
