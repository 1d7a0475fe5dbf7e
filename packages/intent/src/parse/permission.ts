import type { Intent } from '../intent.ts'
import { groups, type Family } from './family.ts'
import { amountOf, full, partyOf, SYM, symbolOf, Unreadable, WHO } from './text.ts'

const NUM = String.raw`\d+(?:\.\d+)?`
/** The words that say "unlimited"; "max" is the wallet word for the same (2^256-1). */
const UNLIMITED = String.raw`(?:unlimited|infinite|an unlimited amount of|an infinite amount of|any amount of|max|maximum|the max|the maximum)`
const HOW_MUCH = `(?:(?<n>${NUM})|(?<unl>${UNLIMITED}))`
const SPEND = String.raw`(?:spend|use|move|transfer|pull|take)`

const approveRes = [
  // approve 50 usdc for the router / approve unlimited usdc to @a0
  full(
    `(?:approve|authorize|allow)\\s+${HOW_MUCH}\\s+(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM})(?:\\s+(?:for|to|on|with)\\s+(?<who>${WHO})(?:\\s+to\\s+${SPEND})?)?`,
  ),
  // approve the router to spend 50 usdc / allow bob to use unlimited dai
  full(
    `(?:approve|authorize|allow|let)\\s+(?<who>${WHO})\\s+(?:to\\s+)?${SPEND}\\s+(?:up to\\s+|at most\\s+)?${HOW_MUCH}\\s+(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM})`,
  ),
  // give the router an allowance of 50 usdc / set the usdc allowance for bob to 50
  full(
    `(?:give|grant)\\s+(?<who>${WHO})\\s+(?:an?\\s+)?(?:allowance|approval)\\s+(?:of|for)\\s+${HOW_MUCH}\\s+(?<sym>${SYM})`,
  ),
  full(
    `set\\s+(?:my\\s+|the\\s+)?(?<sym>${SYM})\\s+(?:allowance|approval)\\s+(?:for|of)\\s+(?<who>${WHO})\\s+to\\s+${HOW_MUCH}`,
  ),
]

function approve(clause: string, addresses: string[]): Intent | null {
  for (const re of approveRes) {
    const g = groups(re, clause)
    if (g === null) continue
    // "set … allowance to 0" takes an approval away: that is a revoke
    if (g.n !== undefined && /^0+(\.0+)?$/.test(g.n))
      return { action: 'revoke', token: symbolOf(g.sym!), ...who(g.who, addresses) }
    return {
      action: 'approve',
      token: symbolOf(g.sym!),
      ...who(g.who, addresses),
      amount: g.unl !== undefined ? 'unlimited' : amountOf(g.n!),
    }
  }
  if (/^(?:approve|authorize)\b/.test(clause) || /^(?:let|allow)\s.*\b(?:spend|use)\b/.test(clause))
    throw new Unreadable('an approval needs an amount (or "unlimited") and a token ("approve 50 USDC for the router")')
  return null
}

function who(raw: string | undefined, addresses: string[]): { spender?: string } {
  if (raw === undefined) return {}
  const spender = partyOf(raw, addresses)
  if (spender === 'me') throw new Unreadable('an approval to yourself')
  return { spender }
}

const APPROVAL = String.raw`(?:approvals?|allowances?|permissions?|access)`
const revokeRes = [
  // revoke the usdc approval for the router / revoke my usdc allowance
  full(
    `(?:revoke|remove|cancel|reset|clear)\\s+(?:the\\s+|my\\s+)?(?<sym>${SYM})\\s+${APPROVAL}(?:\\s+(?:for|from|of|to|given to)\\s+(?<who>${WHO}))?`,
  ),
  // revoke the approval of usdc for the router
  full(
    `(?:revoke|remove|cancel|reset|clear)\\s+(?:the\\s+|my\\s+)?${APPROVAL}\\s+(?:of|on|for)\\s+(?:my\\s+)?` +
      `(?<sym>${SYM})(?:\\s+(?:for|from|of|to|given to)\\s+(?<who>${WHO}))?`,
  ),
  // revoke the router's usdc approval
  full(`(?:revoke|remove|cancel|reset|clear)\\s+(?<who>${WHO})'s\\s+(?<sym>${SYM})\\s+${APPROVAL}`),
  // revoke usdc for the router / revoke the router from usdc
  full(`(?:revoke|unapprove|disapprove)\\s+(?:my\\s+)?(?<sym>${SYM})(?:\\s+(?:for|from|of|to)\\s+(?<who>${WHO}))?`),
  full(`(?:revoke|unapprove)\\s+(?<who>${WHO})\\s+(?:from|on|for)\\s+(?:my\\s+)?(?<sym>${SYM})`),
]

function revoke(clause: string, addresses: string[]): Intent | null {
  for (const re of revokeRes) {
    const g = groups(re, clause)
    if (g === null) continue
    return { action: 'revoke', token: symbolOf(g.sym!), ...who(g.who, addresses) }
  }
  if (/^(?:revoke|unapprove)\b/.test(clause))
    throw new Unreadable('a revoke needs the token ("revoke the USDC approval for the router")')
  return null
}

export const permissionFamilies: Family[] = [
  { name: 'revoke', read: revoke },
  { name: 'approve', read: approve },
]
