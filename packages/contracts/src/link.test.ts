import { describe, expect, it } from 'vitest'
import { creditPoolBytecode, creditPoolLinkReferences } from './index.ts'
import { linkBytecode } from './link.ts'

describe('linkBytecode', () => {
  it('fills every library placeholder and refuses to leave one', () => {
    expect(creditPoolBytecode).toMatch(/__\$[0-9a-f]{34}\$__/)
    const linked = linkBytecode(creditPoolBytecode, creditPoolLinkReferences, {
      PoseidonT2: `0x${'22'.repeat(20)}`,
      PoseidonT3: `0x${'33'.repeat(20)}`,
    })
    expect(linked).not.toMatch(/__\$/)
    expect(linked.length).toBe(creditPoolBytecode.length)
    expect(linked.split('33'.repeat(20)).length - 1).toBe(creditPoolLinkReferences.PoseidonT3.length)
    expect(() =>
      linkBytecode(creditPoolBytecode, creditPoolLinkReferences, { PoseidonT2: `0x${'22'.repeat(20)}` }),
    ).toThrow(/PoseidonT3/)
  })
})
