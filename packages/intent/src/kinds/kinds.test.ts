import { describe, expect, it } from 'vitest'
import { constraintsOf, looserReason, type Constraints } from '../constraints.ts'
import { describeIntent } from '../describe.ts'
import { parseIntent } from '../parse.ts'
import { resolveIntent } from '../resolve.ts'
import { symbolicContext } from '../symbolic.ts'

/** Words → constraints, with names and symbols resolved to stand-in addresses (no chain needed for this). */
async function of(...words: string[]): Promise<{ c: Constraints[]; ctx: ReturnType<typeof symbolicContext> }> {
  const intents = words.map(parseIntent)
  const ctx = symbolicContext(intents)
  const c = await Promise.all(intents.map(async (i) => constraintsOf(await resolveIntent(i, ctx), ctx.user)))
  return { c, ctx }
}

const NOTHING = { maxOutflow: [], recipients: [], approvals: [], authorityChange: null, readOnly: false }

describe('intent kinds for the proposer: ERC-8004, escrow, generic call', () => {
  it('reads a registration with the URI exactly as written, and a rating; neither lets anything leave or be approved', async () => {
    expect(parseIntent('Register my agent at https://Agents.example/Hermit.json.')).toEqual({
      action: 'agent.register',
      uri: 'https://Agents.example/Hermit.json',
    })
    expect(parseIntent('leave feedback of 70/100 for agent #7')).toEqual({
      action: 'agent.feedback',
      agentId: '7',
      score: '70',
    })
    const { c } = await of('register my agent at ipfs://QmAgent', 'rate agent 3 a 90')
    expect(c[0]).toMatchObject(NOTHING)
    expect(c[1]).toMatchObject(NOTHING)
    expect(parseIntent("rate agent 3 a 90, don't spend anything").action).toBe('agent.feedback')
  })

  it('an escrow job lets exactly the budget leave, only to the escrow, through an approval of exactly the budget', async () => {
    const { c, ctx } = await of('hire bob for 100 dUSD, evaluated by carol, due in 3 days')
    const budget = 100n * 10n ** 18n
    expect(c[0]).toMatchObject({
      action: 'escrow.fund',
      maxOutflow: [{ asset: { kind: 'erc20', token: ctx.tokens.DUSD }, amount: budget }],
      recipients: [ctx.addressBook.escrow],
      approvals: [{ token: ctx.tokens.DUSD, spender: ctx.addressBook.escrow, amount: budget }],
      counterparties: [ctx.addressBook.bob, ctx.addressBook.carol, ctx.addressBook.escrow],
    })
    expect(parseIntent('hire bob for 100 dUSD, evaluated by carol, due in 3 days')).toMatchObject({
      expiresIn: '259200',
    })
    // a reading with a larger budget allows more than the words
    const { c: pair } = await of(
      'hire bob for 100 dUSD, evaluated by carol, due in 3 days',
      'hire bob for 150 dUSD, evaluated by carol, due in 3 days',
    )
    expect(looserReason(pair[1]!, pair[0]!)).toMatch(/more/)
    expect(looserReason(pair[0]!, pair[1]!)).toBeNull()
  })

  it('an escrow job missing its evaluator, budget or deadline is not read (the reason names what is missing)', () => {
    expect(parseIntent('hire bob for 100 dusd, due in 3 days')).toEqual({
      action: 'unknown',
      reason: 'an escrow job needs an evaluator ("evaluated by carol")',
    })
    expect(parseIntent('create an escrow job for bob').action).toBe('unknown')
    expect(parseIntent('hire bob for 100 dusd, evaluated by carol, due in 3 days, never approve anything').action).toBe(
      'unknown',
    )
  })

  it('a generic call lets only the ETH the words give go, only to the called contract', async () => {
    expect(parseIntent('call setNumber with 42 and true on the counter')).toEqual({
      action: 'call',
      function: 'setnumber',
      args: ['42', 'true'],
      target: 'counter',
    })
    const { c, ctx } = await of('call deposit on the vault paying 0.5 ETH', 'call poke on the vault')
    expect(c[0]).toMatchObject({
      maxOutflow: [{ asset: { kind: 'native' }, amount: 5n * 10n ** 17n }],
      recipients: [ctx.addressBook.vault],
      approvals: [],
    })
    expect(c[1]).toMatchObject({ maxOutflow: [], recipients: [ctx.addressBook.vault], approvals: [] })
    expect(describeIntent(parseIntent('call poke on the vault'))).toBe(
      'your intent as read: call poke() on vault (nothing may leave)',
    )
    expect(parseIntent('call mint with hello on the vault').action).toBe('unknown')
  })
})
