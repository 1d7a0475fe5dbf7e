import type { Intent } from '../intent.ts'
import { groups, type Family } from './family.ts'
import { full, partyOf, SYM, Unreadable, WHO } from './text.ts'

// ---- sign-in and read-only: nothing may leave

const SITE = String.raw`(?<site>[a-z0-9][a-z0-9.-]{0,60})`
const signInRes = [
  full(
    `(?:sign|log)[\\s-]?(?:in|on)(?:\\s+(?:to|on|at|into)\\s+${SITE})?(?:\\s+with\\s+(?:my\\s+)?(?:wallet|ethereum|metamask|address|account))?` +
      `(?:\\s+(?:to|on|at)\\s+${SITE.replace('site', 'site2')})?`,
  ),
  full(`(?:sign\\s+in\\s+with\\s+ethereum|siwe)(?:\\s+(?:to|on|at)\\s+${SITE})?`),
  full(`(?:login|authenticate|connect(?:\\s+my)?\\s+wallet|connect)(?:\\s+(?:to|on|at|with)\\s+${SITE})?`),
  full(
    `(?:prove|verify)\\s+(?:that\\s+)?(?:i\\s+own|my\\s+ownership\\s+of|ownership\\s+of)\\s+(?:my\\s+|this\\s+)?` +
      `(?:wallet|address|account)(?:\\s+(?:to|on|for)\\s+${SITE})?`,
  ),
]

function signIn(clause: string): Intent | null {
  for (const re of signInRes) {
    const g = groups(re, clause)
    if (g === null) continue
    const site = g.site ?? g.site2
    if (site === 'my' || site === 'the') throw new Unreadable(`cannot read the site "${clause}"`)
    return { action: 'sign-in', ...(site === undefined ? {} : { site }) }
  }
  return null
}

const readOnlyRes = [
  full(
    `(?:check|show|see|view|look at|display|tell me)\\s+(?:me\\s+)?(?:what(?:'s| is)\\s+)?(?:my|the)\\s+(?:${SYM}\\s+)?` +
      `(?:balances?|portfolio|positions?|holdings|nfts|tokens|allowances|approvals|history|transactions)(?:\\s+` +
      `(?:on|in)\\s+[a-z0-9 .-]{1,40})?`,
  ),
  full(`(?:check|see)\\s+(?:how much|how many)\\s+${SYM}\\s+i\\s+(?:have|own|hold)`),
  full(`(?:what(?:'s| is| are)|whats)\\s+my\\s+(?:${SYM}\\s+)?(?:balances?|portfolio|positions?|holdings)`),
  full(`how (?:much|many)\\s+(?:${SYM}\\s+)?(?:do\\s+i\\s+have|have\\s+i\\s+got|is\\s+in\\s+my\\s+wallet)`),
  full(
    `(?:${[
      'read only',
      'read-only',
      'view only',
      'view-only',
      'just looking',
      'just browsing',
      'nothing',
      'do nothing',
      'nothing just checking',
      'just checking',
      'only checking',
      'only looking',
      'look around',
      'look only',
      'looking',
      'browsing',
      'checking',
    ].join('|')})`,
  ),
]

function readOnly(clause: string): Intent | null {
  return readOnlyRes.some((re) => re.test(clause)) ? { action: 'read-only' } : null
}

// ---- admin: only when the words name the change

function admin(clause: string, addresses: string[]): Intent | null {
  const who = (raw: string | undefined) => (raw === undefined ? undefined : partyOf(raw, addresses))
  const opt = (k: 'target' | 'to' | 'from', raw: string | undefined) => (raw === undefined ? {} : { [k]: who(raw)! })
  let g = groups(
    full(
      `(?:transfer|hand over|give|pass)\\s+(?:the\\s+)?ownership(?:\\s+of\\s+(?<target>${WHO}))?\\s+to\\s+(?<to>${WHO})`,
    ),
    clause,
  )
  if (g === null)
    g = groups(full(`make\\s+(?<to>${WHO})\\s+(?:the\\s+)?(?:new\\s+)?owner(?:\\s+of\\s+(?<target>${WHO}))?`), clause)
  if (g !== null) return { action: 'admin', change: 'ownership', ...opt('target', g.target), ...opt('to', g.to) }
  if (/\bownership\b/.test(clause))
    throw new Unreadable('an ownership change needs the new owner ("transfer ownership of the vault to @a0")')

  g = groups(
    full(
      `upgrade\\s+(?<target>${WHO}?)(?:\\s+proxy)?\\s+to\\s+(?:the\\s+)?(?:new\\s+)?(?:implementation\\s+|version\\s+|impl\\s+)?(?:at\\s+)?(?<to>${WHO})`,
    ),
    clause,
  )
  if (g !== null)
    return {
      action: 'admin',
      change: 'upgrade',
      ...opt('target', g.target?.replace(/^(?!(?:the|my|our)\s+proxy$)(.+?)\s+proxy$/, '$1') || undefined),
      ...opt('to', g.to),
    }
  if (/^upgrade\b/.test(clause))
    throw new Unreadable('an upgrade needs the new implementation ("upgrade the proxy to @a0")')

  const SAFE = String.raw`(?:my\s+|the\s+|our\s+)?(?<target>(?:[a-z0-9-]+\s+)?safe|@a\d+)`
  g = groups(
    full(`add\\s+(?<to>${WHO})\\s+as\\s+(?:an?\\s+)?(?:new\\s+)?(?:owner|signer)(?:\\s+(?:of|to|on)\\s+${SAFE})?`),
    clause,
  )
  g ??= groups(
    full(`remove\\s+(?<to>${WHO})\\s+(?:as\\s+(?:an?\\s+)?(?:owner|signer)\\s+)?from\\s+${SAFE}(?:\\s+owners)?`),
    clause,
  )
  g ??= groups(
    full(
      `(?:swap|replace)\\s+(?:the\\s+)?(?:owner|signer)\\s+(?<from>${WHO})\\s+(?:with|for)\\s+(?<to>${WHO})(?:\\s+on\\s+${SAFE})?`,
    ),
    clause,
  )
  if (g !== null)
    return {
      action: 'admin',
      change: 'safe-owner',
      ...opt('target', g.target),
      ...opt('to', g.to),
      ...opt('from', g.from),
    }
  g = groups(
    full(
      `(?:change|set|lower|raise)\\s+(?:the\\s+)?(?:${SAFE}\\s+|${SAFE.replace('target', 't2')}'s\\s+)?threshold` +
        `(?:\\s+(?:of|on)\\s+${SAFE.replace('target', 't3')})?\\s+to\\s+(?<n>\\d+)(?:\\s+of\\s+\\d+)?`,
    ),
    clause,
  )
  // the number is kept: "to 2" allows a threshold of 2, not a lower one
  if (g !== null && /^[1-9]\d*$/.test(g.n!))
    return {
      action: 'admin',
      change: 'safe-threshold',
      ...opt('target', g.target ?? g.t2 ?? g.t3),
      threshold: BigInt(g.n!).toString(),
    }
  g = groups(
    full(`(?:enable|add|install)\\s+(?:the\\s+)?(?:a\\s+)?module\\s+(?<to>${WHO})(?:\\s+(?:on|to|in)\\s+${SAFE})?`),
    clause,
  )
  if (g !== null) return { action: 'admin', change: 'safe-module', ...opt('target', g.target), ...opt('to', g.to) }
  g = groups(
    full(
      `set\\s+(?:the\\s+)?(?:${SAFE}\\s+)?guard(?:\\s+(?:of|on)\\s+${SAFE.replace('target', 't2')})?\\s+to\\s+(?<to>${WHO})`,
    ),
    clause,
  )
  if (g !== null)
    return { action: 'admin', change: 'safe-guard', ...opt('target', g.target ?? g.t2), ...opt('to', g.to) }
  g = groups(
    full(
      `set\\s+(?:the\\s+)?(?:${SAFE}\\s+)?fallback\\s+handler(?:\\s+(?:of|on)\\s+${SAFE.replace('target', 't2')})?\\s+to\\s+(?<to>${WHO})`,
    ),
    clause,
  )
  if (g !== null)
    return { action: 'admin', change: 'safe-fallback', ...opt('target', g.target ?? g.t2), ...opt('to', g.to) }
  if (/\b(?:threshold|module|guard|fallback handler)\b/.test(clause) && /\bsafe\b|\bset\b|\benable\b/.test(clause))
    throw new Unreadable('a Safe change needs what changes and to what')
  return null
}

export const otherFamilies: Family[] = [
  { name: 'admin', read: admin },
  { name: 'sign-in', read: (c) => signIn(c) },
  { name: 'read-only', read: (c) => readOnly(c) },
]
