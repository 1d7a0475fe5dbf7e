import { describe, expect, it } from 'vitest'
import { ETH, parseAmount, showAmount } from './amount.ts'

const dUSD = { symbol: 'dUSD', decimals: 6 }
const parse = (text: string, unit = dUSD) => parseAmount(text, unit, '--max-price', 'agents find')

describe('one unit per amount', () => {
  it('whole units with the symbol and base units spelled as such are the same amount; shown with the symbol', () => {
    expect(parse('5 dUSD')).toBe(5_000_000n)
    expect(parse('5dusd')).toBe(5_000_000n)
    expect(parse('2.99 dUSD')).toBe(2_990_000n)
    expect(parse('5000000 base')).toBe(5_000_000n)
    expect(parse('0.001 ETH', ETH)).toBe(10n ** 15n)
    expect(parse('1000000000000000 wei', ETH)).toBe(10n ** 15n)
    expect(showAmount(5_000_000n, dUSD)).toBe('5 dUSD')
    expect(showAmount(10n ** 15n, ETH)).toBe('0.001 ETH')
  })

  it('a bare number, another symbol, too many decimals or fractional base units are refused, naming the flag and both forms', () => {
    for (const [text, why] of [
      ['5', /"5" has no unit/],
      ['5 ETH', /"ETH" is not dUSD/],
      ['0.0000001 dUSD', /6 decimals/],
      ['1.5 base', /whole numbers/],
      ['five dUSD', /not an amount/],
    ] as const) {
      let error: unknown
      try {
        parse(text)
      } catch (e) {
        error = e
      }
      expect(error, text).toMatchObject({
        code: 'CLI_BAD_ARGUMENT',
        shortMessage: expect.stringMatching(why),
        hint: expect.stringMatching(/--max-price "5 dUSD".*--max-price "5000000 base"/),
      })
      expect((error as { shortMessage: string }).shortMessage).toMatch(/^agents find: --max-price: /)
    }
  })
})
