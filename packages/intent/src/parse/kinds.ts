import type { Intent } from '../intent.ts'
import { groups, type Family } from './family.ts'
import { canonical, full, partyOf, SYM, symbolOf, Unreadable } from './text.ts'

/**
 * Phrasings of the proposer's newer actions (kinds/schemas.ts): an ERC-8004 registration and
 * feedback, an escrowed job, a call of a named function. Read before the other families: "give
 * agent 3 a score of 90" is a rating, not a send.
 */
const NUM = String.raw`\d+(?:\.\d+)?`
/** One party: an address, or a one-word name (after an optional article): "bob", "the designer". */
const PARTY = String.raw`(?:@a\d+|(?:the\s+|my\s+|our\s+)?[a-z0-9][\w.'-]*)`
const uriOf = (ref: string, addresses: string[]) => addresses[Number(ref)]!

// ---- ERC-8004: register, feedback

const registerRe = full(
  `(?:register|create|mint)\\s+(?:(?:a|an|my|the)\\s+)?(?:new\\s+)?(?:erc-?8004\\s+)?agent(?:\\s+identity)?` +
    `(?:\\s+(?:at|with|with uri|with the uri|uri|as|from|pointing to|for))?\\s+@u(?<u>\\d+)`,
)

function register(clause: string, addresses: string[]): Intent | null {
  const g = groups(registerRe, clause)
  if (g !== null) return { action: 'agent.register', uri: uriOf(g.u!, addresses) }
  if (/^register\s+(?:(?:a|an|my|the)\s+)?(?:new\s+)?(?:erc-?8004\s+)?agent\b/.test(clause))
    throw new Unreadable("say the agent's URI (https://…, ipfs://…)")
  return null
}

const OUT_OF = String.raw`(?:\s*(?:\/|out of)\s*100)?`
const AGENT = String.raw`(?:erc-?8004\s+)?agent\s+(?:#|no\s+|number\s+|id\s+)?\s*(?<id>\d+)`
const feedbackRes = [
  full(`(?:rate|score)\\s+${AGENT}\\s+(?:with\\s+)?(?:a\\s+)?(?:score\\s+of\\s+)?(?<s>${NUM})${OUT_OF}`),
  full(
    `(?:give|leave|send|post)\\s+${AGENT}\\s+(?:a\\s+)?(?:score|rating|feedback)\\s+(?:of\\s+)?(?<s>${NUM})${OUT_OF}`,
  ),
  full(
    `(?:give|leave|send|post)\\s+(?:a\\s+)?(?:score|rating|feedback)\\s+(?:of\\s+)?(?<s>${NUM})${OUT_OF}\\s+(?:to|for|on)\\s+${AGENT}`,
  ),
]

function feedback(clause: string): Intent | null {
  for (const re of feedbackRes) {
    const g = groups(re, clause)
    if (g === null) continue
    const score = canonical(g.s!)
    if (Number(score) > 100) throw new Unreadable(`a score is from 0 to 100, not ${score}`)
    return { action: 'agent.feedback', agentId: BigInt(g.id!).toString(), score }
  }
  return null
}

// ---- escrow: create and fund a job

const UNITS: Record<string, number> = { minute: 60, min: 60, hour: 3600, hr: 3600, day: 86_400, week: 604_800 }
const UNIT = String.raw`(?<unit>minutes?|mins?|hours?|hrs?|days?|weeks?)`
const BUDGET = String.raw`(?<amt>${NUM})\s+(?<sym>${SYM})`

type Escrow = {
  provider?: string
  evaluator?: string
  budget?: { amount: string; asset: string }
  expiresIn?: string
  escrow?: string
}
type Part = { re: RegExp; take(g: Record<string, string | undefined>, addresses: string[]): Escrow }

const budget = (g: Record<string, string | undefined>): Escrow => ({
  budget: { amount: canonical(g.amt!), asset: symbolOf(g.sym!) },
})
const PARTS: Part[] = [
  { re: new RegExp(`^(?:for|with|paying|funded with|and fund it with|fund(?:ed)? with)\\s+${BUDGET}`), take: budget },
  { re: new RegExp(`^(?:with\\s+)?(?:a\\s+)?budget\\s+(?:of\\s+)?${BUDGET}`), take: budget },
  {
    re: new RegExp(`^(?:evaluated|judged|checked|reviewed|approved)\\s+by\\s+(?<who>${PARTY})`),
    take: (g, a) => ({ evaluator: partyOf(g.who!, a) }),
  },
  {
    re: new RegExp(`^(?:with\\s+)?(?:the\\s+|an\\s+)?evaluator\\s+(?:is\\s+)?(?<who>${PARTY})`),
    take: (g, a) => ({ evaluator: partyOf(g.who!, a) }),
  },
  {
    re: new RegExp(`^with\\s+(?<who>${PARTY})\\s+as\\s+(?:the\\s+)?evaluator`),
    take: (g, a) => ({ evaluator: partyOf(g.who!, a) }),
  },
  {
    re: new RegExp(`^(?:(?:for|with)\\s+(?:the\\s+)?provider|provider(?:\\s+is)?)\\s+(?<who>${PARTY})`),
    take: (g, a) => ({ provider: partyOf(g.who!, a) }),
  },
  {
    re: new RegExp(
      `^(?:(?:with\\s+)?(?:a\\s+)?deadline\\s+(?:of\\s+)?(?:in\\s+)?|(?:(?:due|expir(?:es|ing)|ending)\\s+)?(?:in|within)\\s+)(?<n>\\d+)\\s+${UNIT}`,
    ),
    take: (g) => {
      const unit = g.unit!.replace(/s$/, '')
      return { expiresIn: String(Number(g.n!) * UNITS[unit]!) }
    },
  },
  { re: new RegExp(`^(?:on|through|via|using)\\s+(?<who>${PARTY})`), take: (g, a) => ({ escrow: partyOf(g.who!, a) }) },
  // last: "for bob" names the provider only when no amount follows "for"
  { re: new RegExp(`^(?:for|to)\\s+(?<who>${PARTY})`), take: (g, a) => ({ provider: partyOf(g.who!, a) }) },
]

/** Reads "for bob, evaluated by carol, budget 100 dusd, due in 3 days" in any order; null when a phrase is not one. */
function escrowParts(text: string, addresses: string[], into: Escrow): Escrow | null {
  let rest = text.trim()
  const out: Escrow = { ...into }
  while (rest !== '') {
    rest = rest.replace(/^and\s+/, '')
    let matched = false
    for (const part of PARTS) {
      const m = part.re.exec(rest)
      if (m === null || (m[0].length < rest.length && rest[m[0].length] !== ' ')) continue
      for (const [k, v] of Object.entries(part.take(m.groups ?? {}, addresses)))
        if (out[k as keyof Escrow] !== undefined) throw new Unreadable(`the words give the ${k} twice`)
        else Object.assign(out, { [k]: v })
      rest = rest.slice(m[0].length).trim()
      matched = true
      break
    }
    if (!matched) return null
  }
  return out
}

const escrowHead =
  /^(?:(?:create|open|post|start|set up)(?:\s+and\s+fund)?\s+(?:an?\s+)?(?:new\s+)?(?:escrow(?:ed)?\s+)?job|hire)(?:\s+|$)/

/** A partial escrow reading is kept as an `escrow.fund` intent; `done` says what is still missing. */
function escrow(clause: string, addresses: string[]): Intent | null {
  const head = escrowHead.exec(clause)
  if (head === null) return null
  let rest = clause.slice(head[0].length)
  let parts: Escrow = {}
  // "hire bob for 100 dusd": the first word after "hire" is the provider
  if (head[0].startsWith('hire')) {
    const who = new RegExp(`^(?<who>${PARTY})(?:\\s+|$)`).exec(rest)
    if (who === null) throw new Unreadable('say whom to hire')
    parts = { provider: partyOf(who.groups!.who!, addresses) }
    rest = rest.slice(who[0].length)
  }
  const read = escrowParts(rest, addresses, parts)
  if (read === null) throw new Unreadable(`cannot read the job in "${clause}"`)
  return { action: 'escrow.fund', ...read } as Intent
}

function escrowMore(intent: Intent, clause: string, addresses: string[]): Intent | null {
  if (intent.action !== 'escrow.fund') return null
  const read = escrowParts(clause, addresses, intent as Escrow)
  return read === null ? null : ({ ...intent, ...read } as Intent)
}

function escrowDone(intent: Intent): string | null {
  if (intent.action !== 'escrow.fund') return null
  const missing = (['provider', 'evaluator', 'budget', 'expiresIn'] as const).filter((k) => intent[k] === undefined)
  if (missing.length === 0) return null
  const say = {
    provider: 'a provider ("for bob")',
    evaluator: 'an evaluator ("evaluated by carol")',
    budget: 'a budget ("for 100 dUSD")',
    expiresIn: 'a deadline ("due in 3 days")',
  }
  return `an escrow job needs ${missing.map((k) => say[k]).join(', ')}`
}

// ---- a call of a named function

const ARG = String.raw`(?:\d+|@a\d+|true|false)`
const ARGS = String.raw`(?<args>${ARG}(?:\s+(?:and\s+)?${ARG})*)`
const VALUE = String.raw`(?:\s+(?:paying|sending|attaching|with)\s+(?<val>${NUM})\s+(?:eth|ether))?`
const FN = String.raw`(?:the\s+)?(?:function\s+)?(?<fn>[a-z_$][a-z0-9_$]*)(?:\s+function)?`
const callRes = [
  full(`call\\s+${FN}(?:\\s+with\\s+${ARGS})?\\s+on\\s+(?<who>${PARTY})${VALUE}`),
  full(`call\\s+${FN}\\s+on\\s+(?<who>${PARTY})(?:\\s+with\\s+${ARGS})?${VALUE}`),
]

function call(clause: string, addresses: string[]): Intent | null {
  if (!/^call\s/.test(clause)) return null
  for (const re of callRes) {
    const g = groups(re, clause)
    if (g === null) continue
    const args = (g.args ?? '')
      .split(/\s+(?:and\s+)?/)
      .filter((a) => a !== '')
      .map((a) => (a.startsWith('@a') ? addresses[Number(a.slice(2))]! : a))
    return {
      action: 'call',
      function: g.fn!,
      args,
      target: partyOf(g.who!, addresses),
      ...(g.val === undefined ? {} : { value: canonical(g.val) }),
    }
  }
  throw new Unreadable('say it as "call <function> with <arguments> on <contract>" (numbers, addresses, true/false)')
}

export const kindFamilies: Family[] = [
  { name: 'agent.register', read: register },
  { name: 'agent.feedback', read: feedback },
  { name: 'escrow.fund', read: escrow, more: escrowMore, done: escrowDone },
  { name: 'call', read: call },
]
