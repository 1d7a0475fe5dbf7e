import { describe, expect, it } from 'vitest'
import { concatHex, encodeFunctionData, erc20Abi, getAddress, maxUint256, parseAbi, zeroAddress } from 'viem'
import { decodeCall, flattenCalls } from './decode.ts'
import { multicall3Abi, safeAbi, universalRouterAbi, uniswapV3RouterAbi } from './abis.ts'
import { parseRequest } from './request.ts'
import { selectorTableSize } from './selectors.ts'
import { summarizeTypedData } from './typed-data.ts'

const token = getAddress('0x00000000000000000000000000000000000000aa')
const spender = getAddress('0x00000000000000000000000000000000000000bb')
const approve = encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, maxUint256] })

describe('decode', () => {
  it('decodes ERC-20 calls with argument names', () => {
    const d = decodeCall({ to: token, data: approve })
    expect(d).toMatchObject({
      name: 'approve',
      family: 'ERC20',
      source: 'bundled-abi',
      args: { spender, amount: maxUint256 },
    })
  })

  it('decodes calls nested in Multicall3, Safe and V3 multicall', () => {
    const agg = encodeFunctionData({
      abi: multicall3Abi,
      functionName: 'aggregate3',
      args: [[{ target: token, allowFailure: false, callData: approve }]],
    })
    const safe = encodeFunctionData({
      abi: safeAbi,
      functionName: 'execTransaction',
      args: [spender, 0n, agg, 1, 0n, 0n, 0n, zeroAddress, zeroAddress, '0x'],
    })
    const root = decodeCall({ to: spender, data: safe })
    const all = flattenCalls(root)
    expect(all.map((c) => `${c.family}.${c.name}:${c.operation}`)).toEqual([
      'Safe.execTransaction:call',
      'Multicall3.aggregate3:delegatecall',
      'ERC20.approve:call',
    ])
    const v3 = decodeCall({
      to: spender,
      data: encodeFunctionData({ abi: uniswapV3RouterAbi, functionName: 'multicall', args: [[approve]] }),
    })
    expect(v3.calls[0]!.name).toBe('approve')
  })

  it('names Universal Router commands', () => {
    const data = encodeFunctionData({
      abi: universalRouterAbi,
      functionName: 'execute',
      args: ['0x0a0004', ['0x', '0x', '0x'], 1n],
    })
    expect(decodeCall({ to: spender, data }).calls.map((c) => c.name)).toEqual([
      'PERMIT2_PERMIT',
      'V3_SWAP_EXACT_IN',
      'SWEEP',
    ])
  })

  it('uses user ABIs first, then the selector table, then says unknown', () => {
    const custom = parseAbi(['function approve(address operator, uint256 amount)'])
    expect(decodeCall({ to: token, data: approve }, { abis: [custom] }).args).toEqual({
      operator: spender,
      amount: maxUint256,
    })
    expect(selectorTableSize).toBeGreaterThan(30)
    const claim = encodeFunctionData({ abi: parseAbi(['function claimRewards()']), functionName: 'claimRewards' })
    expect(decodeCall({ to: token, data: claim })).toMatchObject({ name: 'claimRewards', source: 'selector-table' })
    expect(decodeCall({ to: token, data: concatHex(['0x12345678', `0x${'00'.repeat(32)}`]) }).source).toBe('unknown')
    expect(decodeCall({ to: token, data: '0x' }).source).toBe('plain-transfer')
  })
})

describe('requests', () => {
  it('parses the three kinds and names bad fields', () => {
    expect(parseRequest({ chainId: '0x1', from: spender, to: token, value: '0x10', data: approve }).kind).toBe(
      'transaction',
    )
    expect(parseRequest({ chainId: 1, from: spender, method: 'eth_sign', message: '0x00' }).kind).toBe('raw-sign')
    expect(() => parseRequest({ chainId: 1, from: 'bob', to: token })).toThrow(/field from: not an address/)
    expect(() => parseRequest({ chainId: 1, from: spender, to: token, data: '0xzz' })).toThrow(/field data/)
    expect(() => parseRequest({ chainId: 1, from: spender, to: token, surprise: 1 })).toThrow(/surprise/)
    expect(() => parseRequest({ chainId: 1, from: spender, to: token, kind: 'raw-sign' })).toThrow(/kind/)
    // an amount of ETH is wei, and the error says so (with the scale), for ETH given in whole units or as a fraction
    for (const value of ['0.5', 0.5, '1 ETH'])
      expect(() => parseRequest({ chainId: 1, from: spender, to: token, value })).toThrow(
        /field value: expected an amount in wei.*1 ETH is 1000000000000000000/,
      )
    // what wallets send: nonce, fees, type, input
    const wallet = parseRequest({
      chainId: 1,
      from: spender,
      to: token,
      input: approve,
      nonce: '0x1',
      maxFeePerGas: '0x10',
      type: '0x2',
      gas: '0x5208',
    })
    expect(wallet).toMatchObject({ kind: 'transaction', data: approve, maxFeePerGas: 16n, gas: 21000n })
    expect(() => parseRequest({ chainId: 1, from: spender, to: token, input: approve, data: '0x' })).toThrow(
      /data and input differ/,
    )
    expect(() =>
      parseRequest({ chainId: 1, from: spender, typedData: { domain: {}, types: {}, message: {} } }),
    ).toThrow(/typedData.primaryType/)
  })
})

describe('typed data', () => {
  const from = spender
  /** What signing this EIP-712 message (of `primaryType`, no types needed) on chain 1 would authorize. */
  const summarize = (primaryType: string, message: Record<string, unknown>, domain: Record<string, unknown> = {}) =>
    summarizeTypedData(
      parseRequest({ chainId: 1, from, typedData: { domain, types: {}, primaryType, message } }) as never,
    )
  /** A Blur sell order of `token` #3 for native currency: `price` and maybe fees. */
  const blurSale = (terms: { price: string; fees?: Array<{ rate: number; recipient: string }> }) => ({
    trader: from,
    side: 1,
    collection: token,
    tokenId: '3',
    amount: '1',
    paymentToken: zeroAddress,
    ...terms,
    expirationTime: '1',
  })
  /** A Seaport consideration item: native currency to `recipient`, from `startAmount` to `endAmount`. */
  const nativeTo = (recipient: string, startAmount: string, endAmount: string) => ({
    itemType: 0,
    token: zeroAddress,
    identifierOrCriteria: '0',
    startAmount,
    endAmount,
    recipient,
  })
  it('reads EIP-2612 permits, Seaport and Blur orders', () => {
    const permit = summarize(
      'Permit',
      { owner: from, spender: token, value: '5', nonce: '0', deadline: '9' },
      { verifyingContract: token },
    )
    expect(permit.approvals[0]).toMatchObject({ kind: 'erc20', amount: 5n, spender: token })
    const seaport = summarize('OrderComponents', {
      offerer: from,
      offer: [{ itemType: 2, token, identifierOrCriteria: '7', startAmount: '1', endAmount: '1' }],
      consideration: [nativeTo(spender.replace('bb', 'cc'), '1', '1')],
    })
    expect(seaport.order).toMatchObject({ gives: [{ kind: 'erc721', id: 7n }], receives: [] })
    const blur = summarize('Order', blurSale({ price: '0' }))
    expect(blur.order).toMatchObject({ gives: [{ kind: 'erc721' }], receives: [{ kind: 'native', amount: 0n }] })
    // a Blur sale whose fees take everything pays the seller nothing; a Seaport auction counts its low end
    const fees = summarize('Order', blurSale({ price: '1000', fees: [{ rate: 10_000, recipient: spender }] }))
    expect(fees.order!.receives[0]!.amount).toBe(0n)
    const auction = summarize('OrderComponents', {
      offerer: from,
      offer: [],
      consideration: [nativeTo(from, '100', '1')],
    })
    expect(auction.order!.receives[0]!.amount).toBe(1n)
  })
})
