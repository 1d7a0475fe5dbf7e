import { describe, expect, it } from 'vitest'
// scripts/ is not a workspace package: the generated file is imported by path
import { uniswapV2Router02Abi, weth9Abi } from '../packages/devnet/src/defi/abis.generated.ts'
import { ABI_SOURCES, isFresh, renderAbis } from './gen-defi-abis.ts'

describe('gen-defi-abis', () => {
  it("the committed `as const` ABIs are exactly the npm artifacts' abi fields", () => {
    expect(isFresh()).toBe(true)
    const text = renderAbis()
    for (const [name] of ABI_SOURCES) expect(text).toContain(`export const ${name} = [`)
    // spot checks that the generated values are the artifacts' (not a hand-written subset)
    expect(uniswapV2Router02Abi.some((f) => f.type === 'function' && f.name === 'swapExactTokensForTokens')).toBe(true)
    expect(weth9Abi.filter((f) => f.type === 'function').map((f) => f.name)).toEqual(
      expect.arrayContaining(['deposit', 'withdraw', 'approve', 'transfer']),
    )
  })
})
