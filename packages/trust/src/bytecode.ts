import { getAddress, type Address, type Hex } from 'viem'

/**
 * Every 4-byte constant pushed by PUSH4 in runtime code: where solc's dispatcher keeps the
 * selectors a contract answers to. PUSH data of other widths is skipped, so a selector's bytes
 * inside a longer constant are not mistaken for one.
 */
export function pushedSelectors(code: Hex): Set<Hex> {
  const out = new Set<Hex>()
  const bytes = code.startsWith('0x') ? code.slice(2) : code
  const n = bytes.length / 2
  for (let i = 0; i < n; i++) {
    const op = Number.parseInt(bytes.slice(i * 2, i * 2 + 2), 16)
    if (op === 0x63 && i + 4 < n) out.add(`0x${bytes.slice(i * 2 + 2, i * 2 + 10).toLowerCase()}` as Hex)
    // PUSH1..PUSH32 carry 1..32 bytes of data
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f
  }
  return out
}

const MINIMAL_PROXY = /^0x363d3d373d3d3d363d73([0-9a-fA-F]{40})5af43d82803e903d91602b57fd5bf3$/

/** The implementation of an EIP-1167 minimal proxy (the exact 45-byte runtime), else null. */
export function minimalProxyTarget(code: Hex): Address | null {
  const m = MINIMAL_PROXY.exec(code)
  return m ? getAddress(`0x${m[1]}`) : null
}

/** The delegate of an EIP-7702 account (code `0xef0100 || address`), else null. */
export function delegationTarget(code: Hex): Address | null {
  const m = /^0xef0100([0-9a-fA-F]{40})$/.exec(code)
  return m ? getAddress(`0x${m[1]}`) : null
}
