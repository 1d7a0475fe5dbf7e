import { describe, expect, it } from 'vitest'
import { zeroAddress } from 'viem'
import { constraintsOf, looser, looserReason, stricter, type Constraints } from './constraints.ts'
import { parseIntent } from './parse.ts'
import { resolveIntent } from './resolve.ts'
import { symbolicContext } from './symbolic.ts'

/** Words → constraints, with names and symbols resolved to stand-in addresses (no chain needed for this). */
async function of(...words: string[]): Promise<{ c: Constraints[]; ctx: ReturnType<typeof symbolicContext> }> {
  const intents = words.map(parseIntent)
  const ctx = symbolicContext(intents)
  const c = await Promise.all(intents.map(async (i) => constraintsOf(await resolveIntent(i, ctx), ctx.user)))
  return { c, ctx }
}

describe('constraintsOf', () => {
  it('a send lets exactly that amount of that token go to that recipient, who is an expected counterparty', async () => {
    const { c, ctx } = await of('pay bob 15 USDC')
    const usdc = ctx.tokens.USDC!
    expect(c[0]).toMatchObject({
      maxOutflow: [{ asset: { kind: 'erc20', token: usdc }, amount: 15n * 10n ** 18n }],
      recipients: [ctx.addressBook.bob],
      counterparties: [ctx.addressBook.bob],
      approvals: [],
      authorityChange: null,
      readOnly: false,
    })
  })

  it('a swap leaves the pool unconstrained, bounds what arrives to the user, and allows an approval of the sold amount only', async () => {
    const { c, ctx } = await of('trade 1,000 DAI for ETH, no worse than 0.3 ETH, 1% slippage')
    expect(c[0]).toMatchObject({
      maxOutflow: [{ asset: { kind: 'erc20', token: ctx.tokens.DAI }, amount: 1000n * 10n ** 18n }],
      minInflow: [{ asset: { kind: 'native' }, amount: 3n * 10n ** 17n }],
      inflowTo: ctx.user,
      recipients: null,
      approvals: [{ token: ctx.tokens.DAI, spender: null, amount: 1000n * 10n ** 18n }],
      maxSlippageBps: 100,
    })
  })

  it('an ETH swap allows no approval at all', async () => {
    const { c } = await of('swap 1 eth for usdc')
    expect(c[0]!.approvals).toEqual([])
  })

  it('sign-in and read-only are read-only: nothing leaves, no approval, no authority change', async () => {
    const { c } = await of('just log in', 'check my balance')
    for (const x of c)
      expect(x).toMatchObject({ readOnly: true, maxOutflow: [], approvals: [], authorityChange: null, recipients: [] })
  })

  it('"unlimited" only when the words say so', async () => {
    const { c } = await of('approve 50 usdc for the router', 'approve unlimited usdc for the router')
    expect(c[0]!.approvals[0]!.amount).toBe(50n * 10n ** 18n)
    expect(c[1]!.approvals[0]!.amount).toBe('unlimited')
  })

  it('an authority change only for admin, naming the change and the new owner', async () => {
    const { c, ctx } = await of('transfer ownership of the vault to bob', 'send 1 eth to bob')
    expect(c[0]!.authorityChange).toEqual({ kind: 'ownership', target: ctx.addressBook.vault, to: ctx.addressBook.bob })
    expect(c[1]!.authorityChange).toBeNull()
  })

  it('a free claim lets nothing leave and says it was free', async () => {
    const { c } = await of('claim my free airdrop')
    expect(c[0]).toMatchObject({ free: true, maxOutflow: [], approvals: [] })
  })

  it('a withdrawal lets the vault’s shares go back to the vault (or be burned), nothing else', async () => {
    const { c, ctx } = await of('withdraw 2 eth from the vault')
    const vault = ctx.addressBook.vault!
    expect(c[0]).toMatchObject({
      maxOutflow: [{ asset: { kind: 'erc20', token: vault }, amount: 'all' }],
      minInflow: [{ asset: { kind: 'native' }, amount: 2n * 10n ** 18n }],
      recipients: [vault, zeroAddress],
    })
  })

  it('unknown allows nothing', async () => {
    const { c } = await of('make me rich')
    expect(c[0]).toMatchObject({
      action: 'unknown',
      maxOutflow: [],
      approvals: [],
      recipients: [],
      authorityChange: null,
    })
  })
})

describe('looser and stricter', () => {
  it('more outflow, another recipient, an approval, less back or more slippage are looser', async () => {
    const { c } = await of(
      'send 15 usdc to bob',
      'send 20 usdc to bob',
      'send 15 usdc to alice',
      'swap 1 eth for usdc, at least 3000 usdc, 1% slippage',
      'swap 1 eth for usdc, at least 2000 usdc, 1% slippage',
      'swap 1 eth for usdc, at least 3000 usdc, 5% slippage',
      'approve 50 usdc for bob',
    )
    const [send15, send20, toAlice, swap3000, swap2000, slip5, approve] = c as [Constraints, ...Constraints[]]
    expect(looserReason(send20!, send15)).toContain('more')
    expect(looserReason(toAlice!, send15)).toContain('go to')
    expect(looserReason(swap2000!, swap3000!)).toContain('less')
    expect(looserReason(slip5!, swap3000!)).toContain('slippage')
    expect(looserReason(approve!, send15)).toContain('approval')
    expect(looser(send15, send20!)).toBe(false)
    expect(looser(send15, send15)).toBe(false)
  })

  it('stricter picks the reading that allows less', async () => {
    const { c } = await of('send 15 usdc to bob', 'send 20 usdc to bob')
    expect(stricter(c[0]!, c[1]!)).toBe(c[0])
    expect(stricter(c[1]!, c[0]!)).toBe(c[0])
  })

  it('when neither is stricter, what both allow, which is looser than neither', async () => {
    const { c } = await of('send 15 usdc to bob', 'send 10 usdc to alice')
    const both = stricter(c[0]!, c[1]!)
    expect(looser(both, c[0]!)).toBe(false)
    expect(looser(both, c[1]!)).toBe(false)
    expect(both.recipients).toEqual([])
  })

  it("an owner swap's old owner is one more owner that may go: looser than adding an owner only", async () => {
    const { c } = await of('add bob as an owner of my safe', 'replace the owner alice with bob on my safe')
    const [add, swap] = c as [Constraints, Constraints]
    expect(swap.authorityChange).toMatchObject({
      kind: 'safe-owner',
      from: expect.any(String),
      to: add.authorityChange!.to,
    })
    expect(looserReason(swap, add)).toMatch(/removes 0x/)
    expect(looser(add, swap)).toBe(false)
  })

  it('a Safe threshold named in the words is kept: a reading without it, or with another, is looser', async () => {
    const { c } = await of('change the threshold of my safe to 2', 'set the threshold of my safe to 1')
    const [two, one] = c as [Constraints, Constraints]
    expect(two.authorityChange).toMatchObject({ kind: 'safe-threshold', threshold: 2n })
    expect(looserReason(one, two)).toMatch(/threshold other than 2/)
    const unnamed = {
      ...two,
      authorityChange: { kind: 'safe-threshold' as const, target: two.authorityChange!.target! },
    }
    expect(looserReason(unnamed, two)).toMatch(/threshold other than 2/)
    expect(looser(two, two)).toBe(false)
  })

  it('read-only is stricter than anything that is not read-only', async () => {
    const { c } = await of('check my balance', 'claim my free airdrop')
    expect(looser(c[1]!, c[0]!)).toBe(true)
    expect(looser(c[0]!, c[1]!)).toBe(false)
  })
})
