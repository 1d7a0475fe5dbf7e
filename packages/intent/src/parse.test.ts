import { describe, expect, it } from 'vitest'
import { describeIntent } from './describe.ts'
import type { Intent } from './intent.ts'
import { parseIntent } from './parse.ts'

const A = '0x1111111111111111111111111111111111111111'

/** Each phrasing must read as exactly `intent`. */
function reads(intent: Intent, phrasings: string[]): void {
  for (const words of phrasings) expect(parseIntent(words), words).toEqual(intent)
}

describe('parseIntent: every action, in several phrasings, without a model', () => {
  it('send (native and ERC-20)', () => {
    reads({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' }, [
      'pay bob 15 USDC',
      'send 15 usdc to bob',
      'Please transfer 15 USDC to Bob.',
      'can you send bob 15 usdc?',
    ])
    reads({ action: 'send', asset: 'ETH', amount: '0.5', to: A }, [
      `please transfer 0.5 eth to ${A} (my landlord)`,
      `send .5 ether to landlord at ${A}`,
      `send 0.5eth to ${A}`,
    ])
  })

  it('send of an ERC-721 by token id, and of ERC-1155 amounts', () => {
    reads({ action: 'send', asset: 'BAYC', amount: '1', tokenId: '123', to: 'bob' }, [
      'send my BAYC #123 to bob',
      'transfer bayc token id 123 to bob',
    ])
    reads({ action: 'send', asset: 'GAME', amount: '3', tokenId: '5', to: 'dave' }, ['send 3 of my GAME #5 to dave'])
  })

  it('swap with a minimum out, a maximum in, a slippage and a recipient', () => {
    reads({ action: 'swap', sell: { asset: 'DAI', amount: '1000' }, buy: { asset: 'ETH' }, minOut: '0.3' }, [
      'trade 1,000 DAI for ETH, no worse than 0.3 ETH',
      'swap 1000 dai for at least 0.3 eth',
      'sell 1k DAI for ETH, minimum 0.3 ETH',
    ])
    reads({ action: 'swap', sell: { asset: 'USDC' }, buy: { asset: 'ETH', amount: '1' }, maxIn: '3100' }, [
      'buy 1 eth with usdc, at most 3,100 usdc',
      'buy 1 eth with at most 3100 usdc',
    ])
    reads(
      {
        action: 'swap',
        sell: { asset: 'ETH', amount: '1' },
        buy: { asset: 'USDC' },
        slippageBps: 50,
        recipient: 'bob',
      },
      [
        'swap 1 eth for usdc with 0.5% slippage and send it to bob',
        'swap 1 ETH to USDC, max slippage 0.5%, send it to bob',
      ],
    )
    reads({ action: 'swap', sell: { asset: 'LINK', amount: 'all' }, buy: { asset: 'ETH' } }, [
      'sell all my link for eth',
      'swap all of my LINK to ETH',
    ])
  })

  it('wrap and unwrap', () => {
    reads({ action: 'unwrap', amount: 'all' }, ['unwrap all my WETH', 'unwrap all weth'])
    reads({ action: 'wrap', amount: '2' }, ['wrap 2 eth', 'convert 2 eth to weth', 'turn 2 ETH into WETH'])
  })

  it('approve, with a spender, exact or unlimited', () => {
    reads({ action: 'approve', token: 'USDC', spender: 'router', amount: '50' }, [
      'let the router spend 50 USDC',
      'approve 50 usdc for the router',
      'give the router an allowance of 50 usdc',
    ])
    reads({ action: 'approve', token: 'USDC', spender: 'uniswap', amount: 'unlimited' }, [
      'approve unlimited usdc for uniswap',
      'let uniswap spend any amount of my usdc',
    ])
  })

  it('revoke', () => {
    reads({ action: 'revoke', token: 'USDC', spender: 'router' }, [
      'revoke the usdc approval for the router',
      "revoke the router's usdc approval",
      'set my usdc allowance for the router to 0',
    ])
  })

  it('deposit, withdraw, stake and unstake, with a target named or by address', () => {
    reads({ action: 'deposit', asset: 'ETH', amount: '2', target: 'vault' }, [
      'deposit 2 ETH into the vault',
      'put 2 eth in the vault',
    ])
    reads({ action: 'withdraw', asset: 'USDC', amount: '1500.5', target: A }, [`withdraw 1,500.50 usdc from ${A}`])
    reads({ action: 'stake', asset: 'ETH', amount: '32', target: 'lido' }, [
      'I want to stake 32 eth with lido',
      'stake 32 ETH on Lido',
    ])
    reads({ action: 'unstake', asset: 'UNI', amount: 'all' }, ['unstake all my uni'])
  })

  it('claim: "free" is read, and a fee only when stated', () => {
    reads({ action: 'claim', free: true }, ['claim my free airdrop', "claim my airdrop, it's free"])
    reads({ action: 'claim', asset: 'UNI', from: 'distributor', free: false }, [
      'claim my uni airdrop from the distributor',
    ])
    reads({ action: 'claim', free: false, fee: { amount: '0.01', asset: 'ETH' } }, [
      'claim my airdrop, pay a fee of 0.01 eth',
    ])
  })

  it('mint, with a maximum price (each or in total)', () => {
    reads({ action: 'mint', quantity: '3', maxPrice: { amount: '0.01', asset: 'ETH', each: true } }, [
      'mint 3 nfts for 0.01 eth each',
      'mint three for 0.01 eth apiece',
    ])
    reads({ action: 'mint', collection: A }, [`mint an nft from ${A} for free`])
  })

  it('nft.buy and nft.list, with their price bounds', () => {
    reads(
      {
        action: 'nft.buy',
        collection: 'BAYC',
        tokenId: '123',
        maxPrice: { amount: '10', asset: 'ETH' },
        marketplace: 'opensea',
      },
      ['buy bayc #123 for at most 10 eth on opensea', 'purchase BAYC #123 for no more than 10 ETH on OpenSea'],
    )
    reads({ action: 'nft.list', collection: 'BAYC', tokenId: '12', minPrice: { amount: '30', asset: 'ETH' } }, [
      'list my bayc #12 for at least 30 eth',
      'sell my BAYC #12 for 30 ETH',
    ])
  })

  it('sign-in and read-only', () => {
    reads({ action: 'sign-in' }, ['just log in', 'Sign in with Ethereum', 'connect my wallet'])
    reads({ action: 'sign-in', site: 'opensea.io' }, ['sign in to opensea.io', 'log in to opensea.io please'])
    reads({ action: 'read-only' }, ['check my balance', 'how much usdc do i have', 'just looking'])
  })

  it('admin, only when the words name the change', () => {
    reads({ action: 'admin', change: 'ownership', target: 'vault', to: A }, [
      `transfer ownership of the vault to ${A}`,
      `make ${A} the new owner of the vault`,
    ])
    reads({ action: 'admin', change: 'upgrade', target: 'proxy', to: A }, [`upgrade the proxy to ${A}`])
    reads({ action: 'admin', change: 'safe-owner', target: 'safe', to: 'bob' }, ['add bob as an owner of my safe'])
    reads({ action: 'admin', change: 'safe-module', target: 'safe', to: A }, [`enable module ${A} on my safe`])
    reads({ action: 'admin', change: 'safe-owner', target: 'safe', from: 'alice', to: 'bob' }, [
      'replace the owner alice with bob on my safe',
      'swap owner alice for bob on the safe',
    ])
    reads({ action: 'admin', change: 'safe-threshold', target: 'safe', threshold: '2' }, [
      'change the threshold of my safe to 2',
      'set the safe threshold to 2 of 3',
    ])
  })
})

describe('parseIntent is honest: what it cannot read is unknown, never a looser guess', () => {
  const unknown = (words: string) => expect(parseIntent(words).action, words).toBe('unknown')

  it('two amounts, two recipients, or a missing amount are not read', () => {
    for (const w of [
      'send 5 usdc and 10 dai to bob',
      'send 5 usdc to bob and 3 dai to alice',
      `send 5 usdc to bob and ${A}`,
      'send some eth to bob',
      'swap eth for usdc',
      'approve the router for usdc',
    ])
      unknown(w)
  })

  it('"dollars", half, a cut address, or a price per unit are not read', () => {
    for (const w of [
      'send $50 to alice',
      'send half my eth to bob',
      'send 5 usdc to 0x1234',
      'swap 1 eth for usdc at 3000 usdc per eth',
    ])
      unknown(w)
  })

  it('"don\'t approve anything" never becomes an approval', () => {
    expect(parseIntent("don't approve anything")).toEqual({ action: 'read-only' })
    unknown("approve 50 usdc for the router, don't approve anything")
    // a token swap pulls through an approval, which the words forbid
    unknown("swap 100 usdc for eth but don't approve anything")
    // an ETH swap needs none: the negation takes nothing away from it
    expect(parseIntent("swap 1 eth for usdc, don't approve anything")).toEqual({
      action: 'swap',
      sell: { asset: 'ETH', amount: '1' },
      buy: { asset: 'USDC' },
    })
    expect(parseIntent("don't approve anything, just send 5 usdc to bob")).toEqual({
      action: 'send',
      asset: 'USDC',
      amount: '5',
      to: 'bob',
    })
  })

  it('an ownership or upgrade without its new owner is not read as admin', () => {
    for (const w of ['transfer ownership', 'upgrade the proxy', 'renounce ownership']) unknown(w)
  })

  it('an NFT purchase or listing without a price is not read', () => {
    for (const w of ['buy bayc #1', 'list my bayc #12 on opensea']) unknown(w)
  })

  it('says why', () => {
    expect(parseIntent('send some eth to bob')).toMatchObject({ reason: expect.stringContaining('amount') })
    expect(parseIntent('send 100 dollars to bob')).toMatchObject({ reason: expect.stringContaining('which token') })
  })
})

describe('describeIntent', () => {
  it('gives the one line "your intent as read: …"', () => {
    expect(describeIntent(parseIntent('trade 1,000 DAI for ETH, no worse than 0.3 ETH'), 'parser')).toBe(
      'your intent as read: swap 1000 DAI for ETH (at least 0.3 ETH) (by the parser)',
    )
    expect(describeIntent(parseIntent('let the router spend 50 USDC'))).toBe(
      'your intent as read: approve 50 USDC for router',
    )
    expect(describeIntent(parseIntent('just log in'))).toBe('your intent as read: sign in (nothing may leave)')
  })
})
