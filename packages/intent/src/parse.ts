import { intentSchema, type Intent } from './intent.ts'
import type { Family } from './parse/family.ts'
import { kindFamilies } from './parse/kinds.ts'
import { otherFamilies } from './parse/other.ts'
import { permissionFamilies } from './parse/permission.ts'
import { positionFamilies } from './parse/position.ts'
import { partyOf, prepare, Unreadable } from './parse/text.ts'
import { valueFamilies } from './parse/value.ts'

/**
 * Order matters where words overlap: "transfer ownership" is admin, not a send; "sell my BAYC #1"
 * is a listing, not a swap; "give the router an allowance" is an approval.
 */
const FAMILIES: Family[] = [
  ...kindFamilies,
  ...otherFamilies,
  ...permissionFamilies,
  ...positionFamilies,
  ...valueFamilies,
]

const NEGATION =
  /^(?:don'?t|do not|never|without|no|not|nothing|dont)\b(?!\s+(?:worse|more|less|fewer|higher|lower|slippage|fees?|cost|later)\b)/
type Forbidden = { kind: 'approve' | 'unlimited' | 'send' | 'swap' | 'sign' | 'outflow' | 'else'; to?: string }

function forbiddenBy(clause: string, addresses: string[]): Forbidden {
  const c = clause.replace(NEGATION, '').trim()
  // "don't do anything else", "nothing else": no more than the positive reading, which is all that is allowed anyway
  if (/\b(?:else|other)\b|^more$/.test(c)) return { kind: 'else' }
  if (c === '' || /^(?:do\s+)?(?:anything|a thing|something)$/.test(c)) return { kind: 'outflow' }
  if (/^(?:(?:approve|allow)\s+)?(?:an?\s+)?(?:unlimited|infinite)(?:\s+\w+)?(?:\s+approvals?)?$/.test(c))
    return { kind: 'unlimited' }
  if (/\b(?:approv\w*|allowances?|permits?|permissions?|unlimited)\b/.test(c)) return { kind: 'approve' }
  if (/\b(?:sign\w*|signatures?)\b/.test(c)) return { kind: 'sign' }
  if (/\b(?:swap\w*|trad\w*|sell\w*|exchang\w*)\b/.test(c)) return { kind: 'swap' }
  if (/\b(?:send\w*|transfer\w*|pay\w*|giv\w*)\b/.test(c)) {
    // "never send to alice": a send to someone else is not forbidden
    const to = /^(?:send|transfer|pay|give)(?:\s+(?:it|anything|them|money|funds))?\s+to\s+(.+)$/.exec(c)?.[1]
    return to === undefined ? { kind: 'send' } : { kind: 'send', to: partyOf(to, addresses) }
  }
  if (/\b(?:spend\w*|mov\w*|touch\w*|leav\w*|tak\w*|withdraw\w*|drain\w*)\b/.test(c)) return { kind: 'outflow' }
  throw new Unreadable(`cannot read "${clause}"`)
}

/** Would the intent allow a token approval (a swap or a deposit of an ERC-20 pulls through one)? */
function mayApprove(intent: Intent): boolean {
  const token = (asset: string | undefined) => asset !== undefined && asset !== 'ETH' && asset !== 'native'
  switch (intent.action) {
    case 'approve':
      return true
    case 'swap':
      return token(intent.sell.asset)
    case 'deposit':
    case 'stake':
      return token(intent.asset)
    case 'nft.buy':
      return token(intent.maxPrice.asset)
    case 'nft.list':
      return true
    case 'mint':
      return token(intent.maxPrice?.asset)
    case 'claim':
      return token(intent.fee?.asset)
    case 'escrow.fund':
      return token(intent.budget.asset)
    default:
      return false
  }
}

const NOTHING_LEAVES = new Set<Intent['action']>([
  'read-only',
  'sign-in',
  'revoke',
  'unknown',
  'agent.register',
  'agent.feedback',
])

function contradiction(intent: Intent, forbidden: Forbidden): string | null {
  switch (forbidden.kind) {
    case 'approve':
      return mayApprove(intent)
        ? `the words forbid approvals, and ${intent.action === 'approve' ? 'ask for one' : `this ${intent.action} needs one`}`
        : null
    case 'unlimited':
      return intent.action === 'approve' && intent.amount === 'unlimited'
        ? 'the words both ask for and forbid an unlimited approval'
        : null
    case 'send':
      if (intent.action !== 'send') return null
      return forbidden.to === undefined || forbidden.to === intent.to
        ? 'the words both ask for a send and forbid it'
        : null
    case 'swap':
      return intent.action === 'swap' ? 'the words both ask for a swap and forbid it' : null
    case 'sign':
      return NOTHING_LEAVES.has(intent.action) && intent.action !== 'sign-in'
        ? null
        : 'the words forbid signing, and this needs a signature'
    case 'outflow':
      return NOTHING_LEAVES.has(intent.action) || (intent.action === 'claim' && intent.fee === undefined)
        ? null
        : `the words forbid anything leaving, and this ${intent.action} moves value`
    case 'else':
      return null
  }
}

function unknown(reason: string): Intent {
  return { action: 'unknown', reason: reason.slice(0, 300) }
}

/**
 * The deterministic reading of the user's words. It reads whole clauses against known phrasings:
 * a clause it cannot account for makes the reading `unknown` with the reason, never a reading
 * that leaves words out. Negations ("don't approve anything") only ever take permissions away.
 */
export function parseIntent(words: string): Intent {
  try {
    const { clauses, addresses } = prepare(words)
    const parts = clauses
      .flatMap((c) => c.split(/\s+(?:and\s+)?(?=(?:don'?t|do not|never|without)\b)/))
      .filter((c) => c !== '')
    if (parts.length === 0) return unknown('there are no words to read')
    const forbidden: Forbidden[] = []
    const positive: string[] = []
    for (const p of parts) {
      if (NEGATION.test(p)) forbidden.push(forbiddenBy(p, addresses))
      else positive.push(p)
    }
    if (positive.length === 0) return { action: 'read-only' }
    const [main, ...more] = positive as [string, ...string[]]
    let found: { intent: Intent; family: Family } | null = null
    for (const family of FAMILIES) {
      const intent = family.read(main, addresses)
      if (intent !== null) {
        found = { intent, family }
        break
      }
    }
    if (found === null) return unknown(`no known action in "${main}"`)
    let intent = found.intent
    for (const clause of more) {
      const next = found.family.more?.(intent, clause, addresses) ?? null
      if (next === null) return unknown(`cannot read "${clause}"`)
      intent = next
    }
    const incomplete = found.family.done?.(intent) ?? null
    if (incomplete !== null) return unknown(incomplete)
    for (const f of forbidden) {
      const why = contradiction(intent, f)
      if (why !== null) return unknown(why)
    }
    // the parser's own output must fit the schema it promises; a slip here is a bug, read as unknown
    const checked = intentSchema.safeParse(intent)
    return checked.success ? checked.data : unknown(`internal: ${checked.error.issues[0]?.message ?? 'schema'}`)
  } catch (error) {
    if (error instanceof Unreadable) return unknown(error.message)
    throw error
  }
}
