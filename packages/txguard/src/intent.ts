import { getAddress, isAddress, parseUnits, type Address } from 'viem'

/**
 * A deterministic reading of the user's words, for the rules to compare against: what may leave
 * the wallet, to whom, and what should come back. Anything it does not understand is left to the
 * model (and reported as "intent not understood" without one).
 */
export type ParsedIntent = {
  action: 'send' | 'swap' | 'buy' | 'approve' | 'claim' | 'mint' | 'sell'
  /** Assets the user expects to give, by symbol ("ETH" is native). */
  outflows: Array<{ symbol: string; amount: string | 'all' }>
  /** Symbols the user expects to receive. */
  inflows: string[]
  /** A name or address the assets go to (send) or the spender (approve). */
  counterparty?: string
  /** An approval the user expects, with its amount ("unlimited" allowed). */
  approval?: { symbol: string; amount: string | 'unlimited'; spender?: string }
}

const AMOUNT = '(\\d+(?:\\.\\d+)?|all|unlimited)'
const SYMBOL = '([A-Za-z][A-Za-z0-9.$_-]{0,15})'
const WHO = '((?:0x[0-9a-fA-F]{40})|[A-Za-z][\\w.-]{0,40})'

const patterns: Array<[RegExp, (m: RegExpMatchArray) => ParsedIntent]> = [
  [
    new RegExp(`^(?:send|transfer|pay|give)\\s+${AMOUNT}\\s+${SYMBOL}\\s+to\\s+${WHO}$`, 'i'),
    (m) => ({ action: 'send', outflows: [{ symbol: m[2]!, amount: m[1]! }], inflows: [], counterparty: m[3]! }),
  ],
  [
    new RegExp(`^(?:swap|trade|exchange|convert)\\s+${AMOUNT}\\s+${SYMBOL}\\s+(?:for|to|into)\\s+${SYMBOL}$`, 'i'),
    (m) => ({ action: 'swap', outflows: [{ symbol: m[2]!, amount: m[1]! }], inflows: [m[3]!] }),
  ],
  [
    new RegExp(`^sell\\s+${AMOUNT}\\s+${SYMBOL}\\s+for\\s+${SYMBOL}$`, 'i'),
    (m) => ({ action: 'sell', outflows: [{ symbol: m[2]!, amount: m[1]! }], inflows: [m[3]!] }),
  ],
  [
    new RegExp(`^buy\\s+(?:some\\s+)?${SYMBOL}(?:\\s+#?\\d+)?\\s+(?:for|with)\\s+${AMOUNT}\\s+${SYMBOL}$`, 'i'),
    (m) => ({ action: 'buy', outflows: [{ symbol: m[3]!, amount: m[2]! }], inflows: [m[1]!] }),
  ],
  [
    new RegExp(`^approve\\s+${AMOUNT}\\s+${SYMBOL}(?:\\s+(?:for|to)\\s+${WHO})?$`, 'i'),
    (m) => ({
      action: 'approve',
      outflows: [],
      inflows: [],
      approval: {
        symbol: m[2]!,
        amount: m[1]!.toLowerCase() === 'unlimited' ? 'unlimited' : m[1]!,
        ...(m[3] ? { spender: m[3] } : {}),
      },
    }),
  ],
  [/^claim\b.*$/i, () => ({ action: 'claim', outflows: [], inflows: [] })],
  [/^mint\b.*$/i, () => ({ action: 'mint', outflows: [], inflows: [] })],
]

export function parseIntent(text: string | undefined): ParsedIntent | null {
  if (!text) return null
  const clean = text.trim().replace(/\s+/g, ' ').replace(/[.!]$/, '')
  for (const [re, build] of patterns) {
    const m = clean.match(re)
    if (m) return build(m)
  }
  return null
}

/** A name from the user's address book, or a literal address. */
export function resolveName(name: string | undefined, addressBook: Record<string, Address>): Address | null {
  if (!name) return null
  if (isAddress(name, { strict: false })) return getAddress(name)
  const hit = Object.entries(addressBook).find(([k]) => k.toLowerCase() === name.toLowerCase())
  return hit ? getAddress(hit[1]) : null
}

/** An intent amount in base units, or null for "all"/"unlimited"/unparseable. */
export function intentUnits(amount: string, decimals: number): bigint | null {
  if (!/^\d+(\.\d+)?$/.test(amount)) return null
  try {
    return parseUnits(amount, decimals)
  } catch {
    return null
  }
}
