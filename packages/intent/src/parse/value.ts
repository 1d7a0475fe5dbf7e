import type { Intent, IntentOf } from '../intent.ts'
import { groups, type Family } from './family.ts'
import { AMT, amountOf, canonical, full, partyOf, SYM, symbolOf, Unreadable, WHO } from './text.ts'

const NUM = String.raw`\d+(?:\.\d+)?`
const SEND = String.raw`(?:send|transfer|pay|give|tip|wire|forward|move)`
/** A reason for a payment: read and set aside (it changes nothing that may leave). */
const MEMO_WORDS =
  'dinner|lunch|rent|coffee|pizza|drinks|tickets?|invoice|services|work|gift|birthday|payment|salary|refund|loan'
const MEMO = String.raw`(?:\s+(?:for|as)\s+(?:the\s+|my\s+|our\s+|a\s+|his\s+|her\s+)?(?:${MEMO_WORDS}))?`

/** "all my usdc", "all of my usdc", "my entire usdc balance" → "all usdc". */
export function allOf(clause: string): string {
  return clause
    .replace(/\ball (?:of )?(?:my|the|your) /g, 'all ')
    .replace(/\bmy (?:entire|whole|full|total) ([a-z][a-z0-9.]*)(?: balance)?\b/g, 'all $1')
    .replace(/\b(?:the )?(?:entire|whole|full) balance of (?:my )?/g, 'all ')
}

const sendErc20 = full(
  `${SEND}\\s+(?:exactly\\s+)?(?<amt>${AMT})\\s+(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM})\\s+(?:back\\s+)?(?:over\\s+)?to\\s+(?<who>${WHO})${MEMO}`,
)
const sendWhoFirst = full(
  `${SEND}(?:\\s+back)?\\s+(?<who>${WHO})\\s+(?:exactly\\s+)?(?<amt>${AMT})\\s+(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM})${MEMO}`,
)
const NFT_ID = String.raw`(?:\s+nft)?(?:\s+(?:token\s+)?(?:id|number|no)\s*#?|\s+#\s*)(?<id>\d+)`
const sendNft = full(
  `${SEND}\\s+(?:(?<amt>${NUM}|one|two|three|four|five)\\s+(?:of\\s+)?)?(?:my\\s+|the\\s+)?(?<sym>${SYM})${NFT_ID}\\s+to\\s+(?<who>${WHO})`,
)

function send(clause: string, addresses: string[]): Intent | null {
  const c = allOf(clause)
  const nft = groups(sendNft, c)
  if (nft !== null) {
    return {
      action: 'send',
      asset: symbolOf(nft.sym!),
      amount: nft.amt === undefined ? '1' : amountOf(nft.amt),
      tokenId: BigInt(nft.id!).toString(),
      to: partyOf(nft.who!, addresses),
    }
  }
  const g = groups(sendErc20, c) ?? groups(sendWhoFirst, c)
  if (g === null) {
    if (new RegExp(`^${SEND}\\b`).test(c))
      throw new Unreadable('a send needs an amount, a token and a recipient ("send 15 USDC to bob")')
    return null
  }
  return { action: 'send', asset: symbolOf(g.sym!), amount: amountOf(g.amt!), to: partyOf(g.who!, addresses) }
}

// ---- swaps

const SWAP = String.raw`(?:swap|trade|exchange|convert|change|turn|sell)`
const LEAST = String.raw`(?:(?:at\s+)?no worse than|at least|no less than|not less than|a minimum of|minimum of|minimum|min|min out|min\. out)`
const MOST = String.raw`(?:at most|no more than|not more than|up to|a maximum of|maximum of|maximum|max)`
const swapSell = full(
  `${SWAP}\\s+(?:${MOST}\\s+)?(?<amt>${AMT})\\s+(?:of\\s+)?(?:my\\s+)?(?<sell>${SYM})\\s+(?:for|to|into|in exchange for|and get)\\s+` +
    `(?:(?:${LEAST})\\s+)?(?:(?<out>${NUM})\\s+)?(?<buy>${SYM})(?<rest>(?:\\s.*)?)`,
)
const buyExact = full(
  `(?:buy|get|purchase|acquire)\\s+(?<out>${NUM})\\s+(?<buy>${SYM})\\s+(?:with|for|using|paying with|by selling)\\s+` +
    `(?:(?<most>${MOST})\\s+)?(?:(?<in>${NUM})\\s+)?(?:my\\s+)?(?<sell>${SYM})(?<rest>(?:\\s.*)?)`,
)
const buyWith = full(
  `(?:buy|get|purchase|acquire)\\s+(?:some\\s+)?(?<buy>${SYM})\\s+(?:with|for|using|by selling)\\s+(?<amt>${AMT})\\s+` +
    `(?:of\\s+)?(?:my\\s+)?(?<sell>${SYM})(?<rest>(?:\\s.*)?)`,
)

type Swap = IntentOf<'swap'>

function swap(clause: string, addresses: string[]): Intent | null {
  const c = allOf(clause)
  let intent: Swap
  let rest: string
  const s = groups(swapSell, c)
  const e = s === null ? groups(buyExact, c) : null
  const w = s === null && e === null ? groups(buyWith, c) : null
  if (s !== null) {
    intent = {
      action: 'swap',
      sell: { asset: symbolOf(s.sell!), amount: amountOf(s.amt!) },
      buy: { asset: symbolOf(s.buy!) },
      ...(s.out === undefined ? {} : { minOut: canonical(s.out) }),
    }
    rest = s.rest ?? ''
    const verb = c.split(' ')[0]
    const wrapping = wrapOf(verb!, intent)
    if (wrapping !== null) return rest.trim() === '' ? wrapping : unreadable(rest)
  } else if (e !== null) {
    intent = {
      action: 'swap',
      sell: { asset: symbolOf(e.sell!) },
      buy: { asset: symbolOf(e.buy!), amount: canonical(e.out!) },
      ...(e.in === undefined ? {} : { maxIn: canonical(e.in) }),
    }
    rest = e.rest ?? ''
  } else if (w !== null) {
    intent = {
      action: 'swap',
      sell: { asset: symbolOf(w.sell!), amount: amountOf(w.amt!) },
      buy: { asset: symbolOf(w.buy!) },
    }
    rest = w.rest ?? ''
  } else {
    if (/^(?:swap|trade|exchange)\b/.test(c))
      throw new Unreadable('a swap needs what to sell, how much, and what to buy')
    return null
  }
  if (intent.sell.asset === intent.buy.asset) throw new Unreadable('the swap sells and buys the same token')
  for (const part of splitBounds(rest)) {
    const next = swapBound(intent, part, addresses)
    if (next === null) unreadable(part)
    intent = next
  }
  return intent
}

function unreadable(part: string): never {
  throw new Unreadable(`cannot read "${part.trim()}"`)
}

/** "convert 1 eth to weth" is a wrap; "swap" and "trade" stay swaps (they go through a pool). */
function wrapOf(verb: string, s: Swap): Intent | null {
  if (!['convert', 'change', 'turn'].includes(verb) || s.minOut !== undefined || s.sell.amount === undefined)
    return null
  if (s.sell.asset === 'ETH' && s.buy.asset === 'WETH') return { action: 'wrap', amount: s.sell.amount }
  if (s.sell.asset === 'WETH' && s.buy.asset === 'ETH') return { action: 'unwrap', amount: s.sell.amount }
  return null
}

function splitBounds(rest: string): string[] {
  return rest
    .trim()
    .split(/\s+(?:and|with|&)\s+(?=(?:no|at|min|max|slip|\d|to|send|have|deliver|a\s|on|via)\b)/)
    .map((p) => p.trim().replace(/^(?:and|with)\s+/, ''))
    .filter((p) => p !== '')
}

const slippage = [
  full(
    `(?:(?:${MOST}|under|below|less than)\\s+)?(?<pct>${NUM})\\s?%\\s+(?:max\\s+|maximum\\s+)?slippage(?:\\s+(?:max|maximum|tolerance))?`,
  ),
  full(
    `(?:a\\s+)?(?:max\\s+|maximum\\s+)?slippage(?:\\s+tolerance)?\\s+(?:of\\s+|at\\s+|is\\s+)?(?:(?:${MOST}|under|below|less than)\\s+)?(?<pct>${NUM})\\s?%`,
  ),
]
const noSlippage = full(String.raw`(?:no|zero|0\s?%)\s+slippage`)
const least = full(
  `(?:(?:i\\s+)?(?:want|need|expect)\\s+(?:to\\s+(?:get|receive)\\s+)?|(?:get|receive|getting|receiving)\\s+)?${LEAST}\\s+` +
    `(?<n>${NUM})(?:\\s+(?<sym>${SYM}))?(?:\\s+(?:back|out|in return|total))?`,
)
const most = full(
  `(?:(?:spend|spending|pay|paying|sell|selling|using)\\s+)?${MOST}\\s+(?<n>${NUM})(?:\\s+(?<sym>${SYM}))?(?:\\s+(?:in total|total))?`,
)
const recipient = full(
  `(?:(?:and\\s+)?(?:send|deliver|transfer|give)\\s+(?:it|them|the\\s+\\w+)\\s+|(?:have|get)\\s+(?:it|them)\\s+sent\\s+|` +
    `(?:send(?:ing)?|deliver(?:ing)?)\\s+(?:the\\s+\\w+\\s+)?)?to\\s+(?<who>${WHO})`,
)
const venue = full(
  String.raw`(?:on|via|using|through|with)\s+(?:the\s+)?(?:uniswap|sushiswap|1inch|cowswap|curve|matcha|paraswap|balancer|the router|router|a dex|dex)` +
    String.raw`(?:\s+v[234])?`,
)

function swapBound(s: Swap, part: string, addresses: string[]): Swap | null {
  for (const re of slippage) {
    const g = groups(re, part)
    if (g !== null) return withSlippage(s, g.pct!)
  }
  if (noSlippage.test(part)) return { ...s, slippageBps: 0 }
  const l = groups(least, part)
  if (l !== null) {
    if (l.sym !== undefined && symbolOf(l.sym) !== s.buy.asset)
      throw new Unreadable(`a minimum of ${l.sym} is not what the swap buys`)
    const n = canonical(l.n!)
    if (s.minOut !== undefined && s.minOut !== n) throw new Unreadable('two different minimums')
    return { ...s, minOut: n }
  }
  const m = groups(most, part)
  if (m !== null) {
    if (m.sym !== undefined && symbolOf(m.sym) !== s.sell.asset)
      throw new Unreadable(`a maximum of ${m.sym} is not what the swap sells`)
    return { ...s, maxIn: canonical(m.n!) }
  }
  const r = groups(recipient, part)
  if (r !== null) {
    if (s.recipient !== undefined) throw new Unreadable('two recipients')
    const who = partyOf(r.who!, addresses)
    return who === 'me' ? s : { ...s, recipient: who }
  }
  if (venue.test(part)) return s
  return null
}

function withSlippage(s: Swap, pct: string): Swap {
  const bps = Number(pct) * 100
  if (!Number.isInteger(bps) || bps > 10_000) throw new Unreadable(`a slippage of ${pct}% cannot be read`)
  if (s.slippageBps !== undefined && s.slippageBps !== bps) throw new Unreadable('two different slippages')
  return { ...s, slippageBps: bps }
}

// ---- wrap / unwrap

const wrapRe = full(
  `(?<verb>wrap|unwrap)\\s+(?<amt>${AMT})(?:\\s+(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM}))?(?:\\s+(?:into|to|as|for|back to|back into)\\s+(?<into>${SYM}))?`,
)

function wrap(clause: string): Intent | null {
  const c = allOf(clause)
  const g = groups(wrapRe, c)
  if (g === null) {
    if (/^(?:un)?wrap\b/.test(c))
      throw new Unreadable('say how much to wrap or unwrap ("unwrap 2 WETH", "wrap all my ETH")')
    return null
  }
  const action = g.verb === 'wrap' ? 'wrap' : 'unwrap'
  const [from, to] = action === 'wrap' ? ['ETH', 'WETH'] : ['WETH', 'ETH']
  const sym = g.sym === undefined ? from : symbolOf(g.sym)
  const into = g.into === undefined ? to : symbolOf(g.into)
  // "unwrap 2 eth" says the amount in the coin it becomes; anything else is another wrapper
  const ok = action === 'wrap' ? sym === 'ETH' && into === 'WETH' : (sym === 'WETH' || sym === 'ETH') && into === 'ETH'
  if (!ok) throw new Unreadable(`${action} reads ETH ⇄ WETH only; "${clause}" names another token`)
  return { action, amount: amountOf(g.amt!) }
}

export const valueFamilies: Family[] = [
  { name: 'wrap', read: (c) => wrap(c) },
  { name: 'send', read: send },
  {
    name: 'swap',
    read: swap,
    more: (intent, clause, addresses) => {
      if (intent.action !== 'swap') return null
      let s: Swap = intent
      for (const part of splitBounds(clause)) {
        const next = swapBound(s, part, addresses)
        if (next === null) return null
        s = next
      }
      return s
    },
  },
]
