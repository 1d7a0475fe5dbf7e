import { describe, expect, it } from 'vitest'
import { getAddress, type Address } from 'viem'
import { deployAndWait } from '@hermit/chain'
import { devTokenAbi, devTokenBytecode } from '@hermit/contracts'
import { devNftAbi, devNftBytecode } from '@hermit/contracts/testbed'
import { useDevnet } from '@hermit/devnet/testing'
import { chainFacts } from './chain.ts'
import { constraintsOf } from './constraints.ts'
import { parseIntent } from './parse.ts'
import { resolveIntent, type ResolveContext } from './resolve.ts'
import { installEns } from './testing/index.ts'

const net = useDevnet()
const BOB = getAddress('0x00000000000000000000000000000000000b0b00')
const ROUTER = getAddress('0x000000000000000000000000000000000000a0b7')

async function token(symbol: string, decimals: number): Promise<Address> {
  const d = net()
  const { address } = await deployAndWait(d, {
    name: symbol,
    abi: devTokenAbi,
    bytecode: devTokenBytecode,
    args: [`Test ${symbol}`, symbol, decimals, 10n ** 30n],
  })
  return address
}

function context(over: Partial<ResolveContext> & { knownTokens?: Address[] } = {}): ResolveContext {
  const d = net()
  const { knownTokens, ...rest } = over
  return {
    user: d.accounts[1]!.address,
    addressBook: { bob: BOB, 'the router': ROUTER },
    tokens: { dUSD: d.deployments.contracts.DevToken!.address },
    chain: chainFacts(d.publicClient, knownTokens === undefined ? {} : { knownTokens }),
    ...rest,
  }
}

const read = (words: string, ctx: ResolveContext) => resolveIntent(parseIntent(words), ctx)

describe('resolution against a devnet', () => {
  it('reads the decimals from the token contract: 15 dUSD (6 decimals) is 15000000 base units', async () => {
    const r = await read('pay bob 15 dUSD', context())
    expect(r.action).toBe('send')
    if (r.action !== 'send') return
    expect(r.asset).toMatchObject({ decimals: 6, verified: true, source: 'token-list' })
    expect(r.amount).toBe(15_000_000n)
    expect(r.to).toEqual({ address: BOB, label: 'bob', source: 'address-book' })
  })

  it('reads 18 decimals from another token: 1,000.5 of it is 1000.5e18', async () => {
    const gold = await token('GOLD', 18)
    const r = await read('send 1,000.5 GOLD to bob', context({ tokens: { GOLD: gold } }))
    expect(r.action === 'send' && r.amount).toBe(1_000_500_000_000_000_000_000n)
  })

  it('a symbol not in the token list is found on the chain, and marked unverified', async () => {
    const gold = await token('GOLD', 8)
    const r = await read('send 2 gold to bob', context({ knownTokens: [gold] }))
    expect(r.action === 'send' && r.asset).toMatchObject({
      ref: { kind: 'erc20', token: gold },
      verified: false,
      source: 'chain',
    })
    expect(r.action === 'send' && r.amount).toBe(200_000_000n)
  })

  it('the token list comes first: a look-alike on the chain is not used', async () => {
    const real = await token('GOLD', 18)
    const fake = await token('GOLD', 18)
    const r = await read('send 1 GOLD to bob', context({ tokens: { GOLD: real }, knownTokens: [fake, real] }))
    expect(r.action === 'send' && r.asset.ref).toEqual({ kind: 'erc20', token: real })
  })

  it('two tokens on the chain with one symbol: INTENT_AMBIGUOUS, with a hint to add the right one', async () => {
    const a = await token('GOLD', 18)
    const b = await token('GOLD', 18)
    const error = await read('send 1 GOLD to bob', context({ knownTokens: [a, b] })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'INTENT_AMBIGUOUS' })
    expect((error as { hint: string }).hint).toContain('token list')
  })

  it('two entries for one symbol in the token list: INTENT_AMBIGUOUS', async () => {
    const a = await token('GOLD', 18)
    const b = await token('GOLD', 18)
    await expect(read('send 1 gold to bob', context({ tokens: { GOLD: a, gold: b } }))).rejects.toMatchObject({
      code: 'INTENT_AMBIGUOUS',
    })
  })

  it('an unknown symbol: INTENT_UNKNOWN_TOKEN, whose hint says to add it to the token list', async () => {
    await expect(read('send 1 NOPE to bob', context())).rejects.toMatchObject({
      code: 'INTENT_UNKNOWN_TOKEN',
      hint: expect.stringContaining('tokens: { "NOPE"'),
    })
  })

  it('an unknown name: INTENT_UNKNOWN_NAME, whose hint says to add it to the address book', async () => {
    await expect(read('send 1 eth to mallory', context())).rejects.toMatchObject({
      code: 'INTENT_UNKNOWN_NAME',
      hint: expect.stringContaining('addressBook'),
    })
  })

  it('an ENS name on the devnet (no ENS): INTENT_ENS_UNAVAILABLE, never a guess', async () => {
    await expect(read('send 1 eth to vitalik.eth', context())).rejects.toMatchObject({
      code: 'INTENT_ENS_UNAVAILABLE',
      message: expect.stringContaining('has no ENS'),
      hint: expect.stringContaining('address book'),
    })
  })

  describe('ENS, through the registry at its canonical address (a test double of the mainnet deployment)', () => {
    const CAROL = getAddress('0x00000000000000000000000000000000000ca201')

    it('an ENS name resolves: registry resolver(namehash), then addr(namehash)', async () => {
      await installEns(net(), { 'carol.eth': CAROL, 'pay.carol.eth': BOB })
      const r = await read('send 1 eth to carol.eth', context())
      expect(r.action === 'send' && r.to).toEqual({ address: CAROL, label: 'carol.eth', source: 'ens' })
      const sub = await read('send 1 eth to Pay.Carol.eth', context())
      expect(sub.action === 'send' && sub.to.address).toBe(BOB)
    })

    it('a name the registry does not know: INTENT_ENS_NOT_FOUND', async () => {
      await installEns(net(), { 'carol.eth': CAROL })
      await expect(read('send 1 eth to dave.eth', context())).rejects.toMatchObject({ code: 'INTENT_ENS_NOT_FOUND' })
    })

    it('an address-book entry wins over ENS', async () => {
      await installEns(net(), { 'carol.eth': CAROL })
      const r = await read('send 1 eth to carol.eth', context({ addressBook: { 'carol.eth': BOB } }))
      expect(r.action === 'send' && r.to).toEqual({ address: BOB, label: 'carol.eth', source: 'address-book' })
    })
  })

  it('an amount finer than the token allows is an error, not a rounding', async () => {
    await expect(read('send 0.0000001 dUSD to bob', context())).rejects.toMatchObject({ code: 'INTENT_AMOUNT_INVALID' })
  })

  it('an ERC-721 with a token id resolves to that NFT; constraints let only it go to bob', async () => {
    const d = net()
    const { address: nft } = await deployAndWait(d, {
      name: 'DevNft',
      abi: devNftAbi,
      bytecode: devNftBytecode,
      args: ['Apes', 'APE'],
    })
    const ctx = context({ tokens: { APE: nft } })
    const r = await read('send my APE #7 to bob', ctx)
    expect(r.action === 'send' && r.asset.ref).toEqual({ kind: 'erc721', token: nft, tokenId: 7n })
    const c = constraintsOf(r, ctx.user)
    expect(c.maxOutflow).toEqual([{ asset: { kind: 'erc721', token: nft, tokenId: 7n }, amount: 1n }])
    expect(c.recipients).toEqual([BOB])
  })

  it('a token id on an ERC-20 is refused', async () => {
    await expect(read('send dUSD #3 to bob', context())).rejects.toMatchObject({ code: 'INTENT_TOKEN_UNREADABLE' })
  })

  it('a swap resolves ETH as native and the minimum in the bought token’s decimals', async () => {
    const ctx = context()
    const r = await read('trade 0.5 ETH for dUSD, no worse than 1,000 dUSD', ctx)
    expect(r.action).toBe('swap')
    if (r.action !== 'swap') return
    expect(r.sell).toMatchObject({ asset: { ref: { kind: 'native' } }, amount: 500_000_000_000_000_000n })
    expect(r.minOut).toBe(1_000_000_000n)
    expect(r.recipient).toMatchObject({ address: ctx.user, source: 'user' })
  })

  it('an approval resolves its spender through the address book ("the router")', async () => {
    const ctx = context()
    const r = await read('let the router spend 50 dUSD', ctx)
    expect(constraintsOf(r, ctx.user).approvals).toEqual([
      { token: ctx.tokens.dUSD, spender: ROUTER, amount: 50_000_000n },
    ])
  })

  it('wrap finds the wrapped coin in the token list (or chainFacts’ wrappedNative); without either it says what to add', async () => {
    const weth = await token('WETH', 18)
    const listed = context({ tokens: { WETH: weth } })
    const r = await read('wrap 2 eth', listed)
    expect(r.action === 'wrap' && r.wrapped.ref).toEqual({ kind: 'erc20', token: weth })
    const c = constraintsOf(r, listed.user)
    expect(c.maxOutflow).toEqual([{ asset: { kind: 'native' }, amount: 2n * 10n ** 18n }])
    expect(c.minInflow).toEqual([{ asset: { kind: 'erc20', token: weth }, amount: 2n * 10n ** 18n }])
    expect(c.recipients).toEqual([weth])
    const known = context({ chain: chainFacts(net().publicClient, { wrappedNative: weth }) })
    expect(((await read('unwrap all my weth', known)) as { wrapped: unknown }).wrapped).toMatchObject({
      ref: { token: weth },
    })
    await expect(read('wrap 2 eth', context())).rejects.toMatchObject({
      code: 'INTENT_UNKNOWN_TOKEN',
      hint: expect.stringContaining('"WETH"'),
    })
  })

  it('a contract address that is not a token cannot be read as one', async () => {
    const intent = { action: 'send', asset: BOB, amount: '1', to: 'bob' } as const
    await expect(resolveIntent(intent, context())).rejects.toMatchObject({ code: 'INTENT_TOKEN_UNREADABLE' })
  })
})
