import { getAddress } from 'viem'
import { normalizeName } from '../resolve.ts'

/**
 * The words, made regular before any pattern sees them: lower case, addresses replaced by `@a0`,
 * `@a1`… (kept aside, checksummed), "1,000.50" written "1000.50", filler and end punctuation
 * gone. Patterns then match whole clauses: a word no pattern accounts for makes the reading
 * `unknown`, never a reading that skips it.
 */
export type Text = { clause: string; addresses: string[] }

/** Reading stops here with this reason: the result is `{ action: 'unknown', reason }`. */
export class Unreadable extends Error {}

const FILLER_START = [
  'please',
  'pls',
  'plz',
  'kindly',
  'hey',
  'hi',
  'hello',
  'ok',
  'okay',
  'so',
  'now',
  'hermit',
  'can you',
  'could you',
  'would you',
  'will you',
  'can u',
  'i want to',
  'i wanna',
  'i want you to',
  "i'd like to",
  'i would like to',
  'i need to',
  'i need you to',
  "i'm going to",
  'i am going to',
  "i'm trying to",
  'help me',
  'help me to',
  "let's",
  'lets',
  'go ahead and',
  'just',
  'quickly',
  'simply',
]
const FILLER_END = ['please', 'pls', 'plz', 'thanks', 'thank you', 'thx', 'now', 'asap', 'right now', 'today', 'ok']

/** Names that start with a digit: "1inch" is not "1 inch". */
const KEEP_JOINED = /^(?:1inch|3crv)$/

const WORD_NUMBERS: Record<string, string> = {
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
}

/** Splits the words into clauses (on commas, semicolons, "but"), with addresses set aside. */
export function prepare(words: string): { clauses: string[]; addresses: string[] } {
  if (words.length > 500) throw new Unreadable('the words are longer than 500 characters')
  const addresses: string[] = []
  // a URI is case-sensitive and full of punctuation: it is set aside as written, as `@u<n>` (n indexes `addresses`)
  let s = words.replace(/\b(?:https?|ipfs|ar):\/\/[^\s,;"'<>]*[^\s,;"'<>.!?)]/g, (u) => {
    addresses.push(u)
    return ` @u${addresses.length - 1} `
  })
  s = s.replace(/0x[0-9a-fA-F]{40}(?![0-9a-fA-F])/g, (a) => {
    addresses.push(getAddress(a.toLowerCase()))
    return ` @a${addresses.length - 1} `
  })
  if (/\b0x[0-9a-f]*/i.test(s)) throw new Unreadable('an address in the words is not 40 hex digits long')
  s = s
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    // a parenthesis with an address in it names that address; one without is a remark on the name before it
    .replace(/\(([^()]*)\)/g, (_, inner: string) => (/@a\d/.test(inner) ? ` ${inner.match(/@a\d+/)![0]} ` : ' '))
  // thousands separators, then "1.5k"
  while (/\d,\d{3}(?!\d)/.test(s)) s = s.replace(/(\d),(\d{3})(?!\d)/g, '$1$2')
  s = s
    .replace(/(\d+(?:\.\d+)?)k\b/g, (_, n: string) => scale(n, 3))
    .replace(/(\d+(?:\.\d+)?)(?:m|mm|\s?million)\b/g, (_, n: string) => scale(n, 6))
  s = s.replace(/\$(\d)/g, ' usd $1').replace(/\$([a-z])/g, '$1')
  // "0.5eth" → "0.5 eth"
  s = s.replace(/(\d)([a-z]{2,})/g, (m: string, d: string, w: string) =>
    KEEP_JOINED.test(m) || w === 'st' || w === 'nd' || w === 'rd' || w === 'th' ? m : `${d} ${w}`,
  )
  s = s.replace(/(^|\s)\.(\d)/g, '$10.$2')
  s = s.replace(/[!?]+/g, ' ').replace(/["`]/g, ' ')
  s = s.replace(/\.(\s|$)/g, '$1')
  s = s.replace(/\s+/g, ' ').trim()
  const clauses = s
    .split(/\s*(?:,|;|\s-\s|\bbut\b|\bthen\b)\s*/)
    .map(stripFiller)
    .filter((c) => c !== '')
  return { clauses, addresses }
}

function scale(n: string, zeros: number): string {
  const [int, frac = ''] = n.split('.')
  const digits = (frac + '0'.repeat(zeros)).slice(0, zeros)
  const rest = frac.length > zeros ? `.${frac.slice(zeros)}` : ''
  return `${BigInt(`${int}${digits}`)}${rest}`
}

function stripFiller(clause: string): string {
  let c = clause.trim().replace(/^and\s+/, '')
  for (let changed = true; changed; ) {
    changed = false
    for (const f of FILLER_START)
      if (c === f || c.startsWith(`${f} `)) {
        c = c
          .slice(f.length)
          .trim()
          .replace(/^[,:]\s*/, '')
        changed = true
      }
    for (const f of FILLER_END)
      if (c === f || c.endsWith(` ${f}`)) {
        c = c.slice(0, c.length - f.length).trim()
        changed = true
      }
  }
  return c
}

// ---- values in a clause

/** An amount in the text: "1000.50" → "1000.5", "all"/"everything" → "all", "max" → "max". */
export function amountOf(raw: string): string {
  const r = raw.trim()
  if (r === 'all' || r === 'everything' || r === 'all of it' || r === 'the whole balance') return 'all'
  if (r === 'max' || r === 'the max' || r === 'maximum') return 'max'
  if (WORD_NUMBERS[r] !== undefined) return WORD_NUMBERS[r]!
  if (r === 'a' || r === 'an') return '1'
  if (!/^\d+(\.\d+)?$/.test(r)) throw new Unreadable(`"${r}" is not an amount`)
  return canonical(r)
}

export function canonical(decimal: string): string {
  let [int = '0', frac = ''] = decimal.split('.')
  int = int.replace(/^0+(?=\d)/, '')
  frac = frac.replace(/0+$/, '')
  return frac === '' ? int : `${int}.${frac}`
}

export const NATIVE_WORDS = new Set(['eth', 'ether', 'ethers', 'native', 'native eth'])
const NOT_SYMBOLS = new Set([
  'to',
  'for',
  'my',
  'of',
  'the',
  'all',
  'and',
  'with',
  'into',
  'in',
  'on',
  'from',
  'at',
  'a',
  'an',
  'it',
  'them',
  'me',
  'up',
  'usd',
  'dollars',
  'bucks',
  'tokens',
  'token',
  'coins',
  'money',
  'funds',
  'some',
  'any',
  'nft',
  'nfts',
  'everything',
  'anything',
  'nothing',
  'something',
  'approvals',
  'approval',
  'allowance',
  'allowances',
])

/** A symbol as written ("usdc" → "USDC", "ether" → "ETH"); money words without a token ("dollars") are not read. */
export function symbolOf(raw: string): string {
  const r = raw.trim().replace(/\s+(tokens?|coins?)$/, '')
  if (NATIVE_WORDS.has(r)) return 'ETH'
  if (r === 'usd' || r === 'dollars' || r === 'bucks')
    throw new Unreadable('"dollars" does not say which token: name it (USDC, DAI…)')
  if (NOT_SYMBOLS.has(r) || !/^[a-z][a-z0-9]{0,10}(\.[a-z])?$/.test(r))
    throw new Unreadable(`"${r}" is not a token symbol`)
  return r.toUpperCase()
}

/** A person or contract: an address placeholder, or a short name (articles and "my" dropped). */
export function partyOf(raw: string, addresses: string[]): string {
  const r = raw.trim()
  const refs = r.match(/@a\d+/g) ?? []
  if (refs.length > 1) throw new Unreadable('two addresses where one is expected')
  if (refs.length === 1) {
    // "bob at @a0", "bob @a0": the address written is the one used
    const rest = r
      .replace(/@a\d+/, '')
      .replace(/\b(at|address|wallet|account)\b/g, '')
      .trim()
    if (rest.split(/\s+/).filter(Boolean).length > 3) throw new Unreadable(`cannot tell who "${raw}" is`)
    return addresses[Number(refs[0]!.slice(2))]!
  }
  if (/^0x/.test(r)) throw new Unreadable(`"${r}" is not a whole address`)
  const name = normalizeName(r.replace(/'s (wallet|address|account)$/, ''))
  if (name === '' || name.split(' ').length > 4 || !/^[a-z0-9][a-z0-9 ._'-]*$/.test(name))
    throw new Unreadable(`cannot tell who "${raw}" is`)
  if (name === 'me' || name === 'myself' || name === 'self') return 'me'
  return name
}

// ---- pattern fragments (over the prepared text)

/** An amount: "1000.5", "all", "max", "a", a small number word. */
export const AMT = String.raw`(?:\d+(?:\.\d+)?|all|everything|max|one|two|three|four|five|six|seven|eight|nine|ten)`
/** A symbol word ("usdc", "eth", "usdc.e"), with an optional "tokens". */
export const SYM = String.raw`(?:[a-z][a-z0-9]{0,10}(?:\.[a-z])?(?:\s+tokens?)?)`
/** A name of up to four words, or an address placeholder (optionally after a name). */
const STOP = String.raw`(?:for|with|on|and|or|from|to|into|at|using|via|in|no|not|but|if|so|worth|of|a|an|the|new|as|is|spend|use)`
export const WHO =
  String.raw`(?:(?:(?!${STOP}\b)[a-z0-9][\w.'-]*\s+){0,3}(?:at\s+)?@a\d+|@a\d+|(?:the\s+|my\s+|our\s+)?[a-z0-9][\w.'-]*` +
  String.raw`(?:\s+(?!${STOP}\b)[a-z0-9][\w.'-]*){0,3})`

export function full(pattern: string): RegExp {
  return new RegExp(`^${pattern}$`)
}
