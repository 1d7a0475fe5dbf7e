// Each rule is a pure function of the context: tested here on hand-made contexts, one block per rule.
import { describe, expect, it } from 'vitest'
import { getAddress, maxUint256, stringToHex, type Address } from 'viem'
import type { ContractAge } from './age.ts'
import { policySchema, type AccountInfo, type RuleContext } from './context.ts'
import type { Approval, Effects, Transfer } from './effects.ts'
import { balanceChanges } from './effects.ts'
import { counterpartyHistory } from './history.ts'
import { readWords } from './reading.ts'
import type { ChainFacts } from '@hermit/intent'
import { parseRequest } from './request.ts'
import { plainSummary } from './report.ts'
import type { OrderItem } from './typed-data.ts'
import { rules, looksAlike } from './rules/index.ts'

const A = (n: number) => getAddress(`0x${n.toString(16).padStart(40, '0')}`) as Address
const user = A(0x1001)
const token = A(0x7001)
const router = A(0xc001)
const eoa = A(0xe001)
const alice = getAddress('0xAbCd00000000000000000000000000000000123A')

const old: ContractAge = { status: 'bounded', createdBy: 10n, createdAfter: null, method: 'first-log', tried: [] }
const young: ContractAge = { status: 'exact', createdAt: 990n, method: 'ots', tried: [] }

function ctx(over: Partial<RuleContext> & { transfers?: Transfer[]; approvals?: Approval[] } = {}): RuleContext {
  const effects: Effects = {
    transfers: over.transfers ?? [],
    approvals: over.approvals ?? [],
    authority: [],
    created: [],
    delegateCalls: [],
    ...over.effects,
  }
  const policy = policySchema.parse({ addressBook: { router, alice }, tokens: { USDC: token } })
  const tokens = { [token]: { kind: 'erc20' as const, symbol: 'USDC', decimals: 6, userBalance: 1_000_000_000n } }
  const reading = over.reading
  return {
    request: parseRequest({ chainId: 1, from: user, to: router, data: '0x' }),
    user,
    userAccounts: [user],
    effects,
    changes: balanceChanges(effects.transfers),
    ...(reading ? { reading } : {}),
    constraints: reading?.constraints ?? null,
    history: counterpartyHistory(policy, [], null),
    now: 1_000_000n,
    policy,
    accounts: {
      [router]: { isContract: true, delegated: false, recent: false, name: 'router', age: old, activity: null },
      [eoa]: { isContract: false, delegated: false, recent: null, name: null, age: null, activity: null },
      [token]: { isContract: true, delegated: false, recent: false, name: null, age: old, activity: null },
    },
    tokens,
    unsellable: [],
    sellUnchecked: [],
    dappContracts: [],
    ...over,
  } as RuleContext
}

/**
 * Resolution's questions answered from the hand-made context's own token table (these are pure-rule
 * tests; the devnet tests read a real chain): decimals, "an ERC-20", and look-ups by symbol().
 */
const facts = (tokens: RuleContext['tokens']): ChainFacts => ({
  chainId: 1,
  nativeSymbol: 'ETH',
  wrappedNative: null,
  decimals: async (t) => tokens[t]?.decimals ?? 18,
  standard: async () => 'erc20',
  findTokens: async (symbol) =>
    Object.entries(tokens)
      .filter(([, t]) => t.symbol?.toLowerCase() === symbol.toLowerCase())
      .map(([a]) => a as Address),
  ens: null,
})

/** A context with the user's words read, as verify() reads them. */
async function withIntent(
  text: string,
  over: Parameters<typeof ctx>[0] & { extraTokens?: RuleContext['tokens'] } = {},
): Promise<RuleContext> {
  const base = ctx(over)
  base.tokens = { ...base.tokens, ...over.extraTokens }
  const reading = await readWords(text, base.policy, {
    user,
    client: undefined,
    involvedTokens: Object.keys(base.tokens) as Address[],
    facts: facts(base.tokens),
  })
  return { ...base, reading, constraints: reading.constraints }
}

/** A context whose effects are these alone (every other kind empty). */
const withEffects = (only: Partial<Effects>) =>
  ctx({ effects: { transfers: [], approvals: [], authority: [], created: [], delegateCalls: [], ...only } })

const run = (id: string, c: RuleContext) => rules.find((r) => r.id === id)!.check(c)
const erc20 = (amount: bigint, spender: Address): Approval => ({
  kind: 'erc20',
  token,
  owner: user,
  spender,
  amount,
  via: 'approve',
})
const out = (to: Address, amount: bigint): Transfer => ({ asset: { kind: 'erc20', token }, from: user, to, amount })

describe('rules', () => {
  it('every rule has a unique, stable id and a description', () => {
    const ids = rules.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const r of rules) expect(r.description.length).toBeGreaterThan(10)
  })

  it('approval.unlimited', () => {
    expect(run('approval.unlimited', ctx({ approvals: [erc20(maxUint256, router)] }))).toHaveLength(1)
    expect(run('approval.unlimited', ctx({ approvals: [erc20(100n, router)] }))).toEqual([])
    expect(
      run(
        'approval.unlimited',
        ctx({ approvals: [{ kind: 'operator', token, owner: user, spender: router, approved: true }] }),
      )[0]!.severity,
    ).toBe('warn')
  })

  it('approval.exceeds-balance', () => {
    expect(run('approval.exceeds-balance', ctx({ approvals: [erc20(2_000_000_000n, router)] }))).toHaveLength(1)
    expect(run('approval.exceeds-balance', ctx({ approvals: [erc20(1_000_000_000n, router)] }))).toEqual([])
  })

  it('approval.to-eoa', () => {
    expect(run('approval.to-eoa', ctx({ approvals: [erc20(1n, eoa)] }))[0]!.severity).toBe('block')
    expect(run('approval.to-eoa', ctx({ approvals: [erc20(1n, router)] }))).toEqual([])
  })

  it('approval.to-new-contract', () => {
    const fresh = A(0xf001)
    const c = ctx({ approvals: [erc20(maxUint256, fresh)] })
    c.accounts[fresh] = { isContract: true, delegated: false, recent: true, name: null, age: young, activity: null }
    expect(run('approval.to-new-contract', c)[0]!.severity).toBe('block')
    const small = ctx({ approvals: [erc20(5n, fresh)] })
    small.accounts[fresh] = { isContract: true, delegated: false, recent: true, name: null, age: young, activity: null }
    expect(run('approval.to-new-contract', small)[0]!.severity).toBe('warn')
    expect(run('approval.to-new-contract', ctx({ approvals: [erc20(maxUint256, router)] }))).toEqual([])
    expect(run('approval.to-new-contract', c)[0]!.message).toMatch(
      /created in block 990 \(per ots_getContractCreator\)/,
    )
  })

  it('approval.to-unknown-contract: unlimited, operator or permit, unknown age, little use, not in the address book', () => {
    const odd = A(0xf002)
    const unknown: AccountInfo = {
      isContract: true,
      delegated: false,
      recent: null,
      name: null,
      age: { status: 'unknown', tried: [{ method: 'ots', said: 'refused: the method does not exist' }] },
      activity: { status: 'counted', accounts: 1, atLeast: false, fromBlock: 1n, toBlock: 1000n },
    }
    const withOdd = (over: Parameters<typeof ctx>[0], info: Partial<AccountInfo> = {}) => {
      const c = ctx(over)
      c.accounts[odd] = { ...unknown, ...info }
      return run('approval.to-unknown-contract', c)
    }
    const [finding] = withOdd({ approvals: [erc20(maxUint256, odd)] })
    expect(finding).toMatchObject({ severity: 'warn', evidence: { spender: odd, ageMethod: null } })
    expect(finding!.message).toMatch(
      /its age is unknown \(ots_getContractCreator: refused: the method does not exist\)/,
    )
    expect(finding!.message).toMatch(/1 account approved it or sent it tokens in blocks 1–1000, fewer than the 5/)
    expect(
      withOdd({ approvals: [{ kind: 'operator', token, owner: user, spender: odd, approved: true }] }),
    ).toHaveLength(1)
    expect(withOdd({ approvals: [erc20(maxUint256, odd)] }, { activity: null })[0]!.message).toMatch(/not counted/)
    // a permit of any amount: a signature is the drainer's favourite
    const permit = erc20(5n, odd)
    const typedData = { kind: 'permit', primaryType: 'Permit', approvals: [{ ...permit, via: 'permit' as const }] }
    expect(withOdd({ typedData } as Parameters<typeof ctx>[0])).toHaveLength(1)
    // not flagged: a limited on-chain approval, a well-used contract, a bound that decides, a contract in the address book
    expect(withOdd({ approvals: [erc20(5n, odd)] })).toEqual([])
    const busy = { status: 'counted', accounts: 12, atLeast: false, fromBlock: 1n, toBlock: 1000n } as const
    expect(withOdd({ approvals: [erc20(maxUint256, odd)] }, { activity: busy })).toEqual([])
    expect(withOdd({ approvals: [erc20(maxUint256, odd)] }, { recent: false, age: old })).toEqual([])
    expect(withOdd({ approvals: [erc20(maxUint256, router)] })).toEqual([])
  })

  it('counterparty.unexpected-spender', () => {
    expect(run('counterparty.unexpected-spender', ctx({ approvals: [erc20(1n, eoa)] }))).toHaveLength(1)
    expect(run('counterparty.unexpected-spender', ctx({ approvals: [erc20(1n, eoa)], dappContracts: [eoa] }))).toEqual(
      [],
    )
  })

  it('counterparty.unexpected-recipient', () => {
    expect(run('counterparty.unexpected-recipient', ctx({ transfers: [out(eoa, 5n)] }))).toHaveLength(1)
    expect(run('counterparty.unexpected-recipient', ctx({ transfers: [out(router, 5n)] }))).toEqual([])
  })

  it('intent.mismatch: amounts, recipients, missing inflows, unexpected approvals', async () => {
    const send5 = (t: Transfer) => withIntent('send 5 USDC to alice', { transfers: [t] })
    expect(run('intent.mismatch', await send5(out(alice, 5_000_000n)))).toEqual([])
    expect(run('intent.mismatch', await send5(out(alice, 6_000_000n)))[0]!.message).toMatch(/more than the 5 USDC/)
    expect(run('intent.mismatch', await send5(out(eoa, 5_000_000n)))[0]!.message).toMatch(/not to alice/)
    expect(
      run('intent.mismatch', await withIntent('swap 5 USDC for ETH', { transfers: [out(router, 5_000_000n)] }))[0]!
        .message,
    ).toMatch(/expected to receive ETH/)
    expect(
      run('intent.mismatch', await withIntent('claim my tokens', { approvals: [erc20(1n, router)] }))[0]!.message,
    ).toMatch(/does not call for/)
    expect(
      run(
        'intent.mismatch',
        await withIntent('approve 10 USDC for router', { approvals: [erc20(maxUint256, router)] }),
      )[0]!.message,
    ).toMatch(/unlimited/)
    expect(run('intent.mismatch', await withIntent('please do the thing'))[0]).toMatchObject({
      id: 'intent.not-understood',
      severity: 'info',
    })
  })

  it('value.to-token', () => {
    const c = ctx({ request: parseRequest({ chainId: 1, from: user, to: token, value: '1000', data: '0x' }) })
    expect(run('value.to-token', c)).toHaveLength(1)
    expect(run('value.to-token', ctx())).toEqual([])
  })

  it('recipient.first-interaction', () => {
    expect(run('recipient.first-interaction', ctx({ transfers: [out(eoa, 1n)] }))[0]!.severity).toBe('info')
    const known = ctx({ transfers: [out(eoa, 1n)] })
    known.policy.history.push(eoa)
    expect(run('recipient.first-interaction', known)).toEqual([])
  })

  it('recipient.lookalike', () => {
    const poison = getAddress('0xAbCd99999999999999999999999999999999123A')
    expect(looksAlike(poison, alice)).toBe(true)
    expect(looksAlike(alice, alice)).toBe(false)
    expect(run('recipient.lookalike', ctx({ transfers: [out(poison, 1n)] }))[0]!.severity).toBe('block')
    expect(run('recipient.lookalike', ctx({ transfers: [out(alice, 1n)] }))).toEqual([])
  })

  it('authority.ownership-transfer and authority.proxy-upgrade', () => {
    const owned = withEffects({ authority: [{ kind: 'ownership', contract: router, from: user, to: eoa }] })
    expect(run('authority.ownership-transfer', owned)[0]!.severity).toBe('block')
    const upgraded = withEffects({ authority: [{ kind: 'upgrade', contract: router, implementation: eoa }] })
    expect(run('authority.proxy-upgrade', upgraded)[0]!.severity).toBe('block')
    const known = withEffects({ authority: [{ kind: 'upgrade', contract: router, implementation: alice }] })
    expect(run('authority.proxy-upgrade', known)[0]!.severity).toBe('warn')
  })

  it('call.delegatecall', () => {
    const decoded = {
      to: router,
      value: 0n,
      selector: '0x6a761202',
      name: 'execTransaction',
      signature: 'execTransaction(...)',
      family: 'Safe',
      source: 'bundled-abi',
      args: {},
      operation: 'call',
      calls: [
        {
          to: eoa,
          value: 0n,
          selector: null,
          name: null,
          signature: null,
          family: null,
          source: 'plain-transfer',
          args: {},
          operation: 'delegatecall',
          calls: [],
        },
      ],
    } as const
    expect(run('call.delegatecall', ctx({ decoded: decoded as never }))[0]!.severity).toBe('block')
  })

  it('eip7702.authorization', () => {
    const c = ctx({
      request: parseRequest({
        chainId: 1,
        from: user,
        to: user,
        data: '0x',
        authorizationList: [{ address: eoa, chainId: 1, nonce: 0 }],
      }),
    })
    expect(run('eip7702.authorization', c)[0]!.severity).toBe('block')
  })

  it('sign.raw-hash', () => {
    const hash = ctx({
      request: parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: `0x${'11'.repeat(32)}` }),
    })
    expect(run('sign.raw-hash', hash)[0]!.severity).toBe('block')
    const text = ctx({
      request: parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: '0x48656c6c6f' }),
    })
    expect(run('sign.raw-hash', text)).toEqual([])
  })

  it('personal_sign with plain text (not hex), as dapps send it: read as UTF-8, shown in the summary and checked by the signing rules', () => {
    const words = 'Sign in to example.com\nNonce: 42 — café'
    const request = parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: words })
    expect(request).toMatchObject({ kind: 'raw-sign', message: stringToHex(words), text: words })
    expect(run('sign.raw-hash', ctx({ request }))).toEqual([])
    expect(plainSummary(ctx({ request })).join('\n')).toContain(JSON.stringify(words))
    // hex stays hex; bytes that are not text get no text
    expect(parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: '0x48656c6c6f' })).toMatchObject({
      text: 'Hello',
    })
    expect(parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: '0xff00' })).not.toHaveProperty(
      'text',
    )
    // 32 bytes given as hex are still a blind signature over a hash
    const hash = parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: `0x${'ab'.repeat(32)}` })
    expect(run('sign.raw-hash', ctx({ request: hash }))[0]!.severity).toBe('block')
    const line = 'Log in to example.com, nonce 042' // 32 characters, 32 bytes
    expect(
      run(
        'sign.raw-hash',
        ctx({ request: parseRequest({ chainId: 1, from: user, method: 'personal_sign', message: line }) }),
      ),
    ).toEqual([])
  })

  it('intent.unverified-token: a symbol not on the token list is matched only with a warning', async () => {
    const fake = A(0xfa4e)
    const over = {
      transfers: [
        out(router, 5_000_000n),
        { asset: { kind: 'erc20' as const, token: fake }, from: router, to: user, amount: 1n },
      ],
      extraTokens: { [fake]: { kind: 'erc20' as const, symbol: 'WETH', decimals: 18 } },
    }
    const c = await withIntent('swap 5 USDC for WETH', over)
    const found = run('intent.mismatch', c)
    expect(found.map((f) => f.id)).toContain('intent.unverified-token')
    expect(c.reading?.notes.join(' ')).toMatch(/unverified/)
    c.policy.tokens = { USDC: token, WETH: fake }
    expect(run('intent.mismatch', c)).toEqual([])
  })

  it('a Safe the user drives counts as the user: its outflows are checked', async () => {
    const safe = A(0x5afe)
    const c = await withIntent('send 1 USDC to alice', {
      transfers: [{ asset: { kind: 'erc20', token }, from: safe, to: eoa, amount: 50_000_000n }],
    })
    c.userAccounts = [user, safe]
    expect(
      run('intent.mismatch', c)
        .map((f) => f.message)
        .join(' '),
    ).toMatch(/50 USDC/)
  })

  it('order.free-assets', () => {
    /** A Seaport order signing away NFT #1 of `token` for `receives`. */
    const selling = (receives: OrderItem[]) =>
      ctx({
        typedData: {
          kind: 'seaport-order',
          primaryType: 'OrderComponents',
          approvals: [],
          order: { gives: [{ kind: 'erc721', token, id: 1n, amount: 1n }], receives },
        },
      })
    const free = selling([])
    expect(run('order.free-assets', free)[0]!.severity).toBe('block')
    const fair = selling([{ kind: 'native', token: null, amount: 10n ** 18n }])
    expect(run('order.free-assets', fair)).toEqual([])
    expect(run('order.listing', fair)[0]).toMatchObject({ severity: 'warn', message: expect.stringMatching(/1 ETH/) })
    // "paid" in a token nobody listed: worth nothing for all we know
    const junk = selling([{ kind: 'erc20', token: A(0xbad), amount: 10n ** 30n }])
    expect(run('order.free-assets', junk)[0]!.severity).toBe('block')
  })

  it('typed-data.unknown and sign.permit', () => {
    expect(
      run('typed-data.unknown', ctx({ typedData: { kind: 'unknown', primaryType: 'Mail', approvals: [] } })),
    ).toHaveLength(1)
    expect(
      run(
        'sign.permit',
        ctx({ typedData: { kind: 'permit', primaryType: 'Permit', approvals: [erc20(1n, router)] } }),
      )[0]!.severity,
    ).toBe('info')
  })

  it('tx.reverts, decode.unknown-function, contract.created', () => {
    expect(
      run(
        'tx.reverts',
        ctx({
          simulation: {
            success: false,
            revertReason: 'nope',
            gasUsed: 0n,
            frames: [],
            logs: [],
            nativeTransfers: [],
            created: [],
            delegateCalls: [],
          },
        }),
      )[0]!.message,
    ).toMatch(/nope/)
    expect(
      run(
        'decode.unknown-function',
        ctx({
          decoded: {
            to: router,
            value: 0n,
            selector: '0xdeadbeef',
            name: null,
            signature: null,
            family: null,
            source: 'unknown',
            args: {},
            operation: 'call',
            calls: [],
          },
        }),
      ),
    ).toHaveLength(1)
    expect(run('contract.created', withEffects({ created: [A(5)] }))).toHaveLength(1)
  })

  it('policy.outflow-limit', () => {
    const c = ctx({ transfers: [out(router, 600n)] })
    c.policy.outflowLimits[token] = 500n
    expect(run('policy.outflow-limit', c)[0]!.severity).toBe('block')
    c.policy.outflowLimits[token] = 600n
    expect(run('policy.outflow-limit', c)).toEqual([])
  })

  it('token.cannot-sell', () => {
    expect(run('token.cannot-sell', ctx({ unsellable: [token] }))[0]!.message).toMatch(/USDC/)
  })
})
