import type { Intent, Price } from '../intent.ts'
import { groups, type Family } from './family.ts'
import { AMT, amountOf, canonical, full, partyOf, SYM, symbolOf, Unreadable, WHO } from './text.ts'
import { allOf } from './value.ts'

const NUM = String.raw`\d+(?:\.\d+)?`

// ---- deposit / withdraw / stake / unstake

const VERBS: Record<string, 'deposit' | 'withdraw' | 'stake' | 'unstake'> = {
  deposit: 'deposit',
  put: 'deposit',
  supply: 'deposit',
  lend: 'deposit',
  withdraw: 'withdraw',
  redeem: 'withdraw',
  'take out': 'withdraw',
  stake: 'stake',
  restake: 'stake',
  unstake: 'unstake',
}
const positionRe = full(
  `(?<verb>deposit|put|supply|lend|withdraw|redeem|take out|stake|restake|unstake)\\s+(?<amt>${AMT})\\s+` +
    `(?:of\\s+)?(?:my\\s+)?(?<sym>${SYM})(?:\\s+(?<prep>in|into|to|on|with|at|from|out of)\\s+(?<who>${WHO}))?`,
)

function position(clause: string, addresses: string[]): Intent | null {
  const c = allOf(clause)
  const g = groups(positionRe, c)
  if (g === null) {
    if (/^(?:deposit|withdraw|stake|unstake|supply|redeem)\b/.test(c))
      throw new Unreadable('say how much of which token ("deposit 2 ETH into the vault")')
    return null
  }
  const action = VERBS[g.verb!]!
  const outward = action === 'deposit' || action === 'stake'
  // "withdraw 2 eth into the vault" is not a withdrawal anyone means: read nothing rather than guess
  if (g.prep !== undefined && outward === ['from', 'out of'].includes(g.prep))
    throw new Unreadable(`"${g.verb} … ${g.prep}" does not say where the tokens go`)
  if (g.verb === 'put' && g.prep === undefined) throw new Unreadable('say where to put it')
  const target = g.who === undefined ? {} : { target: partyOf(g.who, addresses) }
  return { action, asset: symbolOf(g.sym!), amount: amountOf(g.amt!), ...target }
}

// ---- claim

const CLAIMABLE = String.raw`(?:(?:staking |lp |farming |vault )?(?:airdrop|rewards?|tokens|yield|refund|winnings|prize|drop|allocation|stuff|nfts?))`
const claimRe = full(
  `claim(?:\\s+(?<amt>${NUM}))?(?:\\s+(?:my|the|our))?(?:\\s+(?<free>free))?(?:\\s+(?!(?:${CLAIMABLE}|from|on|at|for)\\b)` +
    `(?<sym>${SYM}))?(?:\\s+${CLAIMABLE})?(?:\\s+(?:from|on|at)\\s+(?<who>${WHO}))?` +
    `(?<free2>\\s+(?:for free|free|at no cost|without paying anything|without paying))?`,
)
const feeRe = full(
  `(?:(?:and\\s+)?(?:pay|paying)\\s+)?(?:a\\s+)?(?:fee|gas fee)?\\s*(?:of\\s+)?(?:(?:at most|up to|no more than|max)\\s+)?` +
    `(?<n>${NUM})\\s+(?<sym>${SYM})(?:\\s+(?:fee|as a fee|for the fee))?`,
)

function claim(clause: string, addresses: string[]): Intent | null {
  if (!/^claim\b/.test(clause)) return null
  const g = groups(claimRe, clause)
  if (g === null) throw new Unreadable('cannot read what to claim')
  const free = g.free !== undefined || g.free2 !== undefined
  let asset: string | undefined
  if (g.sym !== undefined) asset = symbolOf(g.sym)
  if (g.amt !== undefined && asset === undefined) throw new Unreadable('an amount to claim without a token')
  return {
    action: 'claim',
    ...(asset === undefined ? {} : { asset }),
    ...(g.who === undefined ? {} : { from: partyOf(g.who, addresses) }),
    free,
  }
}

function claimMore(intent: Intent, clause: string): Intent | null {
  if (intent.action !== 'claim') return null
  if (/^(?:for free|it'?s free|free|at no cost|no fees?|without paying(?: anything)?)$/.test(clause))
    return { ...intent, free: true }
  const g = groups(feeRe, clause)
  if (g === null || intent.free || intent.fee !== undefined) return null
  return { ...intent, fee: { amount: canonical(g.n!), asset: symbolOf(g.sym!) } }
}

// ---- mint

const mintRe = full(
  `mint(?:\\s+(?<qty>\\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten))?(?:\\s+(?:new\\s+)?(?:nfts?|tokens?|pieces?|editions?|of them))?` +
    `(?:\\s+(?:from|of|on)\\s+(?<who>${WHO}))?(?<price>\\s+(?:for|at|paying|with a price of)\\s+.*)?`,
)
const priceRe = full(
  `(?:for|at|paying|with a price of)\\s+(?:(?:at most|up to|no more than|max|a maximum of|under)\\s+)?(?<n>${NUM})\\s+` +
    `(?<sym>${SYM})(?<each>\\s+(?:each|apiece|per nft|per piece|per token|per mint|a piece))?(?:\\s+(?:total|in total))?`,
)

function price(text: string): Price {
  const g = groups(priceRe, text.trim())
  if (g === null) throw new Unreadable(`cannot read the price "${text.trim()}"`)
  return { amount: canonical(g.n!), asset: symbolOf(g.sym!), ...(g.each === undefined ? {} : { each: true }) }
}

function mint(clause: string, addresses: string[]): Intent | null {
  if (!/^mint\b/.test(clause)) return null
  const g = groups(mintRe, clause)
  if (g === null) throw new Unreadable('cannot read what to mint')
  const quantity = g.qty === undefined ? undefined : amountOf(g.qty)
  if (quantity !== undefined && !/^[1-9]\d*$/.test(quantity))
    throw new Unreadable('a quantity to mint must be a whole number')
  const free = g.price !== undefined && /^\s*for (?:free|nothing)$/.test(g.price)
  return {
    action: 'mint',
    ...(g.who === undefined ? {} : { collection: partyOf(g.who, addresses) }),
    ...(quantity === undefined || quantity === '1' ? {} : { quantity }),
    ...(g.price === undefined || free ? {} : { maxPrice: price(g.price) }),
  }
}

function mintMore(intent: Intent, clause: string): Intent | null {
  if (intent.action !== 'mint' || intent.maxPrice !== undefined) return null
  if (/^(?:for free|it'?s free|free mint|free)$/.test(clause)) return intent
  try {
    return { ...intent, maxPrice: price(clause.replace(/^(?:pay(?:ing)?|spend(?:ing)?)\s+/, 'for ')) }
  } catch {
    return null
  }
}

// ---- NFT market

const ID = String.raw`(?:\s+nft)?(?:\s+(?:token\s+)?(?:id|number|no)\s*#?|\s+#\s*)(?<id>\d+)`
const nftBuyRe = full(
  `(?:buy|purchase|get|acquire)\\s+(?:(?:a|an|one|the)\\s+)?(?<sym>${SYM})(?:${ID}|\\s+nft)(?<price>\\s+` +
    `(?:for|at|paying)\\s+.*?)?(?:\\s+(?:on|from|via)\\s+(?<who>${WHO}))?`,
)
const nftListRe = full(
  `(?:list|sell)\\s+(?:my\\s+|the\\s+)?(?<sym>${SYM})(?:${ID}|\\s+nft)(?:\\s+for sale)?(?<price>\\s+(?:for|at)\\s+.*?)?(?:\\s+(?:on|via)\\s+(?<who>${WHO}))?`,
)
const minPriceRe = full(
  `(?:for|at)\\s+(?:(?:at least|no less than|not less than|a minimum of|minimum|min)\\s+)?(?<n>${NUM})\\s+(?<sym>${SYM})`,
)

function nftBuy(clause: string, addresses: string[]): Intent | null {
  const g = groups(nftBuyRe, clause)
  if (g === null) return null
  if (g.price === undefined) throw new Unreadable('say the most you will pay for the NFT ("for at most 2 ETH")')
  return {
    action: 'nft.buy',
    collection: symbolOf(g.sym!),
    ...(g.id === undefined ? {} : { tokenId: BigInt(g.id).toString() }),
    maxPrice: price(g.price),
    ...(g.who === undefined ? {} : { marketplace: partyOf(g.who, addresses) }),
  }
}

function nftList(clause: string, addresses: string[]): Intent | null {
  const g = groups(nftListRe, clause)
  if (g === null) return null
  if (g.price === undefined) throw new Unreadable('say the least you will accept for the NFT ("for at least 2 ETH")')
  const p = groups(minPriceRe, g.price.trim())
  if (p === null) throw new Unreadable(`cannot read the price "${g.price.trim()}"`)
  return {
    action: 'nft.list',
    collection: symbolOf(g.sym!),
    ...(g.id === undefined ? {} : { tokenId: BigInt(g.id).toString() }),
    minPrice: { amount: canonical(p.n!), asset: symbolOf(p.sym!) },
    ...(g.who === undefined ? {} : { marketplace: partyOf(g.who, addresses) }),
  }
}

export const positionFamilies: Family[] = [
  { name: 'nft.buy', read: nftBuy },
  { name: 'nft.list', read: nftList },
  { name: 'position', read: position },
  { name: 'claim', read: claim, more: claimMore },
  { name: 'mint', read: mint, more: mintMore },
]
