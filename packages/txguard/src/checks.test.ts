// The verifier's constraint checks on a real devnet: each rule blocks (or warns on) its case with a
// real contract, and lets its benign twin through.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createPublicClient,
  custom,
  encodeAbiParameters,
  encodeFunctionData,
  formatEther,
  parseAbiParameters,
  getAddress,
  parseEther,
  type Abi,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import {
  maliciousMulticallAbi,
  noopSafeGuardAbi,
  noopSafeGuardBytecode,
  opaqueSwapRouterAbi,
  opaqueSwapRouterBytecode,
} from '@hermit/contracts/testbed'
import { deployAndWait, writeAndWait } from '@hermit/chain'
import { swapRouterAbi, uniswapV2Router02Abi } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { ContractFacts, formatReport, verify, type VerifyOptions, type VerifyRequestInput } from './index.ts'
import { SigningRecord } from './record.ts'
import {
  belowQuote,
  deployTestbed,
  devTokenPermit,
  execTransaction,
  lookalikeOf,
  multiSend,
  PERMIT2,
  permit2Single,
  quoteV2,
  quoteV3,
  safeCall,
  type SafeBed,
  type Testbed,
  worldSafe,
} from './testing/index.ts'

// the DeFi world: its Safe is the one the safe.config-change tests use
const net = useDevnet({ world: 'defi' })
let bed: Testbed
let bob: LocalAccount
let chainId: number
let deadline: bigint
let now: bigint

beforeAll(async () => {
  bed = await deployTestbed(net())
  bob = net().accounts[4]! as LocalAccount
  chainId = net().chainId
  now = (await net().publicClient.getBlock()).timestamp
  deadline = now + 3600n
  const { USDC, WETH } = bed.tokens
  OUT = await quoteV2(net(), bed.defi, USDC_IN, [USDC, WETH])
  OUT_V3 = await quoteV3(net(), bed.defi, {
    tokenIn: USDC,
    tokenOut: WETH,
    fee: bed.defi.uniswapV3.pools.WETH_USDC_3000!.fee,
    amountIn: USDC_IN,
  })
}, 60_000)

const call = (abi: Abi, functionName: string, args: unknown[]) => encodeFunctionData({ abi, functionName, args })
const tx = (to: Address, data: Hex, value = 0n): VerifyRequestInput => ({
  chainId,
  from: bed.user.address,
  to,
  data,
  value: value.toString(),
})
const dUSD = (n: bigint) => n * 10n ** 6n
const transfer = (to: Address, amount: bigint) => tx(bed.tokens.dUSD, call(devTokenAbi, 'transfer', [to, amount]))
const USDC_IN = 100n * 10n ** 6n
/** 100 USDC for WETH on the DeFi world's real Uniswap V2 Router02 (the test bed approved it exactly 100 USDC). */
const swap = (minOut: bigint, to: Address = bed.user.address, by = deadline) =>
  tx(
    bed.contracts.uniswapV2Router,
    call(uniswapV2Router02Abi, 'swapExactTokensForTokens', [
      USDC_IN,
      minOut,
      [bed.tokens.USDC, bed.tokens.WETH],
      to,
      by,
    ]),
  )
/** The same on Uniswap V3's SwapRouter (exactInputSingle, the 0.3 % pool; approved 100 USDC too). */
const swapV3 = (minOut: bigint, to: Address = bed.user.address) =>
  tx(
    bed.contracts.uniswapV3Router,
    call(swapRouterAbi, 'exactInputSingle', [
      {
        tokenIn: bed.tokens.USDC,
        tokenOut: bed.tokens.WETH,
        fee: bed.defi.uniswapV3.pools.WETH_USDC_3000!.fee,
        recipient: to,
        deadline,
        amountIn: USDC_IN,
        amountOutMinimum: minOut,
        sqrtPriceLimitX96: 0n,
      },
    ]),
  )
/** What 100 USDC buys in WETH now: Router02's getAmountsOut and QuoterV2's quote, read in beforeAll. */
let OUT: bigint
let OUT_V3: bigint
const SWAP = 'swap 100 USDC for WETH'

function check(request: VerifyRequestInput, intent?: string, over: VerifyOptions = {}) {
  return verify(request, { client: net().publicClient, policy: bed.policy, ...(intent ? { intent } : {}), ...over })
}
const ids = (r: Awaited<ReturnType<typeof check>>) => r.reasons.map((f) => f.id)
const blocked = async (p: ReturnType<typeof check>, id: string) => {
  const r = await p
  expect(r.verdict, formatReport(r)).toBe('block')
  expect(r.reasons.find((f) => f.id === id)?.severity, formatReport(r)).toBe('block')
  return r
}
/** Not blocked, and `id` not among the reasons (a warning with another reason a person accepts may remain). */
const passes = async (p: ReturnType<typeof check>, id: string) => {
  const r = await p
  expect(r.verdict, formatReport(r)).not.toBe('block')
  expect(ids(r), formatReport(r)).not.toContain(id)
  return r
}

async function sendAs(account: LocalAccount, to: Address, abi: Abi, functionName: string, args: unknown[]) {
  const d = net()
  await writeAndWait(
    { publicClient: d.publicClient, walletClient: d.walletFor(account) },
    { address: to, abi, functionName, args },
  )
}

describe('the report shows the intent as read', () => {
  it('"your intent as read: …" and which reader, in text and JSON', async () => {
    const r = await check(transfer(bob.address, dUSD(10n)), `send 10 dUSD to ${bob.address}`)
    expect(r.intent).toMatchObject({ asRead: expect.stringMatching(/^send 10 DUSD to 0x/), reader: 'parser' })
    expect(formatReport(r)).toMatch(/Your intent as read: send 10 DUSD to 0x.* \(by the parser\)/)
  })
})

describe('intent.unresolved', () => {
  it('a name not in the address book blocks, saying what to add; a known name passes', async () => {
    const r = await blocked(check(transfer(bob.address, dUSD(10n)), 'send 10 dUSD to carol'), 'intent.unresolved')
    expect(r.reasons.find((f) => f.id === 'intent.unresolved')!.message).toMatch(/carol/)
    const ok = await check(transfer(bed.alice, dUSD(10n)), 'send 10 dUSD to alice')
    expect(ok.verdict, formatReport(ok)).toBe('allow')
  })
})

describe('no double standard', () => {
  it('an address typed in the intent is an expected recipient: no counterparty.unexpected-recipient', async () => {
    const r = await check(transfer(bob.address, dUSD(10n)), `please transfer 10 dUSD to ${bob.address} (my landlord)`)
    expect(r.verdict, formatReport(r)).toBe('allow')
    expect(ids(r)).not.toContain('counterparty.unexpected-recipient')
    await blocked(check(transfer(bed.attacker, dUSD(10n)), `send 10 dUSD to ${bob.address}`), 'intent.mismatch')
  })

  it('a spender typed in the intent is an expected spender: no counterparty.unexpected-spender', async () => {
    const spender = bed.contracts.multicall
    const r = await check(
      tx(bed.tokens.dUSD, call(devTokenAbi, 'approve', [spender, dUSD(50n)])),
      `let ${spender} spend 50 dUSD`,
    )
    expect(ids(r), formatReport(r)).not.toContain('counterparty.unexpected-spender')
    expect(ids(r)).not.toContain('intent.mismatch')
    const other = await check(tx(bed.tokens.dUSD, call(devTokenAbi, 'approve', [spender, dUSD(50n)])))
    expect(ids(other)).toContain('counterparty.unexpected-spender')
  })
})

describe('intent.read-only', () => {
  it('"just log in" blocks an approval; a sign-in message passes', async () => {
    await blocked(
      check(tx(bed.tokens.dUSD, call(devTokenAbi, 'approve', [bed.contracts.router, dUSD(1n)])), 'just log in'),
      'intent.read-only',
    )
    await passes(
      check(
        {
          chainId,
          from: bed.user.address,
          method: 'personal_sign',
          message: '0x5369676e20696e20746f206578616d706c652e636f6d',
        },
        'just log in',
      ),
      'intent.read-only',
    )
  })

  it('"check my balance" blocks a transfer; a call that moves nothing passes', async () => {
    await blocked(check(transfer(bob.address, dUSD(1n)), 'check my balance'), 'intent.read-only')
    await passes(
      check(tx(bed.tokens.dUSD, call(devTokenAbi, 'balanceOf', [bed.user.address])), 'check my balance'),
      'intent.read-only',
    )
  })
})

describe("swaps, on the DeFi world's real Uniswap V2 and V3 routers", () => {
  it('swap.below-minimum: less than "at least" blocks; above it passes (V2 and V3)', async () => {
    const above = `${SWAP}, at least ${formatEther(OUT * 2n)} WETH`
    await blocked(check(swap(belowQuote(OUT)), above), 'swap.below-minimum')
    await blocked(check(swapV3(belowQuote(OUT_V3)), above), 'swap.below-minimum')
    const ok = await check(
      swap(belowQuote(OUT)),
      `trade 100 USDC for WETH, no worse than ${formatEther(OUT / 2n)} WETH`,
    )
    expect(ok.verdict, formatReport(ok)).toBe('allow')
    const v3 = await check(swapV3(belowQuote(OUT_V3)), `${SWAP}, at least ${formatEther(OUT_V3 / 2n)} WETH`)
    expect(v3.verdict, formatReport(v3)).toBe('allow')
  })

  it('swap.slippage: a minimum-out 20 %+ below the simulation blocks, 10 %+ warns, 1 % passes (V2 and V3)', async () => {
    await blocked(check(swap(1n), SWAP), 'swap.slippage')
    await blocked(check(swapV3(1n), SWAP), 'swap.slippage')
    for (const wide of [
      await check(swap(belowQuote(OUT, 1200n)), SWAP),
      await check(swapV3(belowQuote(OUT_V3, 1200n)), SWAP),
    ])
      expect(wide.reasons.find((f) => f.id === 'swap.slippage')?.severity, formatReport(wide)).toBe('warn')
    // 21 % blocks, 19 % only warns: the line is the simulated amount, not the quote
    await blocked(check(swap(belowQuote(OUT, 2100n)), SWAP), 'swap.slippage')
    const nineteen = await check(swap(belowQuote(OUT, 1900n)), SWAP)
    expect(nineteen.reasons.find((f) => f.id === 'swap.slippage')?.severity, formatReport(nineteen)).toBe('warn')
    expect((await check(swap(belowQuote(OUT)), SWAP)).verdict).toBe('allow')
    expect((await check(swapV3(belowQuote(OUT_V3)), SWAP)).verdict).toBe('allow')
  })

  it('swap.recipient: proceeds to someone else block, with or without an intent; to the user pass (V2 and V3)', async () => {
    await blocked(check(swap(belowQuote(OUT), bed.attacker), SWAP), 'swap.recipient')
    await blocked(check(swap(belowQuote(OUT), bed.attacker)), 'swap.recipient')
    await blocked(check(swapV3(belowQuote(OUT_V3), bed.attacker), SWAP), 'swap.recipient')
    await passes(check(swap(belowQuote(OUT), bed.user.address), SWAP), 'swap.recipient')
    await passes(check(swapV3(belowQuote(OUT_V3), bed.user.address), SWAP), 'swap.recipient')
  })

  it('swap.terms-unread: a router whose minimum-out cannot be read is said so; the stated minimum is still checked', async () => {
    const d = net()
    const { address: opaque } = await deployAndWait(d, {
      name: 'OpaqueSwapRouter',
      abi: opaqueSwapRouterAbi,
      bytecode: opaqueSwapRouterBytecode,
      args: [bed.contracts.uniswapV2Router],
    })
    await sendAs(bed.user, bed.tokens.USDC, devTokenAbi, 'approve', [opaque, USDC_IN])
    // Universal Router's execute(commands, inputs, deadline), command 0x10 (V4_SWAP), a minimum-out of 1
    const input = encodeAbiParameters(parseAbiParameters('address, address, uint256, uint256, address'), [
      bed.tokens.USDC,
      bed.tokens.WETH,
      USDC_IN,
      1n,
      bed.user.address,
    ])
    const opaqueSwap = tx(opaque, call(opaqueSwapRouterAbi, 'execute', ['0x10', [input], deadline]))
    const r = await check(opaqueSwap, SWAP)
    const unread = r.reasons.find((f) => f.id === 'swap.terms-unread')
    expect(unread?.severity, formatReport(r)).toBe('info')
    expect(unread!.message).toMatch(/V4_SWAP.*slippage this call allows is not checked/)
    expect(formatReport(r)).toContain('cannot be read')
    // honest about it: the minimum of 1 is not caught here, as swap.slippage catches it on a router it reads
    expect(ids(r)).not.toContain('swap.slippage')
    await blocked(check(opaqueSwap, `${SWAP}, at least ${formatEther(OUT * 2n)} WETH`), 'swap.below-minimum')
    // a router whose terms are read says nothing of the kind
    expect(ids(await check(swap(belowQuote(OUT)), SWAP))).not.toContain('swap.terms-unread')
  })
})

describe('claims and reverts', () => {
  it('claim.not-free: a "free" claim that approves blocks; one that only brings tokens passes', async () => {
    await blocked(
      check(
        tx(bed.tokens.dUSD, call(devTokenAbi, 'approve', [bed.contracts.router, dUSD(5n)])),
        'claim my free airdrop',
      ),
      'claim.not-free',
    )
    const ok = await check(
      tx(bed.tokens.dWETH, call(devTokenAbi, 'mint', [bed.user.address, parseEther('1')])),
      'claim my free airdrop',
    )
    expect(ok.verdict, formatReport(ok)).toBe('allow')
  })

  it('tx.reverts: a swap past its deadline blocks with the reason; in time it passes', async () => {
    const r = await blocked(check(swap(belowQuote(OUT), bed.user.address, now - 10n)), 'tx.reverts')
    expect(r.reasons.find((f) => f.id === 'tx.reverts')!.message).toMatch(/would fail \(.*EXPIRED.*\)/)
    await passes(check(swap(belowQuote(OUT))), 'tx.reverts')
  })
})

describe('allowance.pulled', () => {
  const pull = (amount: bigint) =>
    tx(
      bed.contracts.multicall,
      call(maliciousMulticallAbi, 'aggregate3', [
        [
          {
            target: bed.tokens.dUSD,
            allowFailure: false,
            callData: call(devTokenAbi, 'transferFrom', [bed.user.address, bed.attacker, amount]),
          },
        ],
      ]),
    )

  it('a pull through an old allowance that the intent does not call for blocks; the router pulling a swap passes', async () => {
    const r = await blocked(check(pull(dUSD(5n)), 'claim my reward'), 'allowance.pulled')
    expect(r.reasons.find((f) => f.id === 'allowance.pulled')!.evidence).toMatchObject({
      spender: bed.contracts.multicall,
    })
    await passes(check(swap(belowQuote(OUT)), SWAP), 'allowance.pulled')
  })
})

describe('recipients', () => {
  it('recipient.token-contract: dUSD sent to the dWETH contract blocks, even typed in the intent; to a person passes', async () => {
    await blocked(check(transfer(bed.tokens.dWETH, dUSD(10n))), 'recipient.token-contract')
    await blocked(
      check(transfer(bed.tokens.dWETH, dUSD(10n)), `send 10 dUSD to ${bed.tokens.dWETH}`),
      'recipient.token-contract',
    )
    await blocked(check(transfer(bed.tokens.dUSD, dUSD(10n))), 'recipient.token-contract')
    await passes(check(transfer(bed.alice, dUSD(10n)), 'send 10 dUSD to alice'), 'recipient.token-contract')
  })

  it('recipient.burn: to 0x…dEaD blocks; to alice passes', async () => {
    const dead = getAddress('0x000000000000000000000000000000000000dead')
    await blocked(check(transfer(dead, dUSD(10n))), 'recipient.burn')
    await blocked(check(transfer(dead, dUSD(10n)), `send 10 dUSD to ${dead}`), 'recipient.burn')
    await passes(check(transfer(bed.alice, dUSD(10n))), 'recipient.burn')
  })

  it('call.no-code: calldata to an account without code warns; a plain ETH payment to it does not', async () => {
    const r = await check(tx(bob.address, '0xa9059cbb0000', 0n))
    expect(r.reasons.find((f) => f.id === 'call.no-code')?.severity, formatReport(r)).toBe('warn')
    const pay = await check(tx(bob.address, '0x', parseEther('0.1')), `send 0.1 ETH to ${bob.address}`)
    expect(pay.verdict, formatReport(pay)).toBe('allow')
    expect(ids(pay)).not.toContain('call.no-code')
  })
})

describe('history from the chain', () => {
  it('address poisoning: a look-alike of someone the user paid, planted by a zero-value transfer, blocks; the real one passes', async () => {
    const facts = new ContractFacts()
    const fake = lookalikeOf(bob.address)
    // the user really paid bob; then a poisoner emits a 0-value Transfer from the user to bob's look-alike
    await sendAs(bed.user, bed.tokens.dUSD, devTokenAbi, 'transfer', [bob.address, dUSD(5n)])
    await sendAs(net().accounts[8]! as LocalAccount, bed.tokens.dUSD, devTokenAbi, 'transferFrom', [
      bed.user.address,
      fake,
      0n,
    ])
    const r = await check(transfer(fake, dUSD(10n)), `send 10 dUSD to ${fake}`, { facts })
    expect(r.verdict, formatReport(r)).toBe('block')
    expect(r.reasons.find((f) => f.id === 'recipient.lookalike')!.evidence).toMatchObject({
      knownFrom: 'you paid it before',
    })
    expect(ids(r)).toContain('recipient.poisoning')
    const real = await check(transfer(bob.address, dUSD(10n)), `send 10 dUSD to ${bob.address}`, { facts })
    expect(real.verdict, formatReport(real)).toBe('allow')
    // bob is no stranger: the chain says the user paid him
    expect(ids(real)).not.toContain('recipient.first-interaction')
    const stranger = net().accounts[5]!.address
    const first = await check(transfer(stranger, dUSD(10n)), `send 10 dUSD to ${stranger}`, { facts })
    expect(first.verdict).toBe('allow')
    expect(first.reasons.find((f) => f.id === 'recipient.first-interaction')?.message).toMatch(
      /no transfer with it in blocks 0–\d+/,
    )
  })

  it('the history is read by bounded, paged eth_getLogs, cached per chain, and only new blocks are read again', async () => {
    const d = net()
    const logs: Array<{ fromBlock: string; toBlock: string }> = []
    const client = createPublicClient({
      chain: d.publicClient.chain,
      transport: custom({
        async request({ method, params }) {
          if (method === 'eth_getLogs') logs.push((params as Array<{ fromBlock: string; toBlock: string }>)[0]!)
          return d.publicClient.request({ method, params } as Parameters<typeof d.publicClient.request>[0])
        },
      }),
    })
    const facts = new ContractFacts()
    const request = transfer(bob.address, dUSD(1n))
    await verify(request, { client, policy: bed.policy, facts, historyBlocks: 50 })
    const first = logs.length
    expect(first).toBeGreaterThanOrEqual(4)
    // the newest 50 blocks only, in pages
    const head = await d.publicClient.getBlockNumber()
    for (const l of logs) expect(BigInt(l.fromBlock)).toBeGreaterThanOrEqual(head - 49n)
    await verify(request, { client, policy: bed.policy, facts, historyBlocks: 50 })
    expect(logs.length).toBe(first)
    await sendAs(bed.user, bed.tokens.dUSD, devTokenAbi, 'transfer', [bob.address, 1n])
    await verify(request, { client, policy: bed.policy, facts, historyBlocks: 50 })
    expect(logs.slice(first).every((l) => BigInt(l.fromBlock) === head + 1n)).toBe(true)
  })

  it('the local record: what the user signed through Hermit counts as known; verify adds each check to it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hermit-record-')), 'signed.json')
    const record = new SigningRecord(path)
    const dave = getAddress('0x00000000000000000000000000000000000da7e0')
    record.note({ chainId, user: bed.user.address, counterparties: [dave], verdict: 'allow', signed: true, at: 1 })
    const r = await check(transfer(lookalikeOf(dave), dUSD(1n)), undefined, { record, facts: new ContractFacts() })
    expect(r.reasons.find((f) => f.id === 'recipient.lookalike')?.evidence, formatReport(r)).toMatchObject({
      knownFrom: 'signed through Hermit',
    })
    const ok = await check(transfer(dave, dUSD(1n)), `send 1 dUSD to ${dave}`, { record, facts: new ContractFacts() })
    expect(ids(ok)).not.toContain('recipient.first-interaction')
    const saved = JSON.parse(readFileSync(path, 'utf8'))
    expect(saved.entries).toHaveLength(3)
    expect(saved.entries.at(-1)).toMatchObject({
      counterparties: expect.arrayContaining([dave]),
      verdict: 'allow',
      signed: false,
    })
  })
})

describe('typed data', () => {
  const permit = (domainChainId: number, until: bigint) => ({
    chainId,
    from: bed.user.address,
    typedData: devTokenPermit(domainChainId, bed.tokens.dUSD, {
      owner: bed.user.address,
      spender: bed.contracts.router,
      value: dUSD(100n).toString(),
      nonce: '0',
      deadline: until.toString(),
    }),
  })

  it("typed-data.chain-mismatch: a domain for another chain blocks; the request's chain passes", async () => {
    await blocked(check(permit(1, deadline)), 'typed-data.chain-mismatch')
    await passes(check(permit(chainId, deadline)), 'typed-data.chain-mismatch')
  })

  it('sign.long-expiry: a permit good for 60 days warns; for an hour it does not', async () => {
    const long = await check(permit(chainId, now + 60n * 86_400n))
    expect(long.reasons.find((f) => f.id === 'sign.long-expiry')?.severity, formatReport(long)).toBe('warn')
    expect(ids(await check(permit(chainId, deadline)))).not.toContain('sign.long-expiry')
  })

  it('typed-data.fake-permit2: a Permit2 message for another contract blocks; the canonical Permit2 passes', async () => {
    const single = (verifyingContract: Address): VerifyRequestInput => ({
      chainId,
      from: bed.user.address,
      typedData: permit2Single(chainId, verifyingContract, {
        token: bed.tokens.dUSD,
        amount: dUSD(100n),
        expiration: deadline,
        spender: bed.contracts.router,
        sigDeadline: deadline,
      }),
    })
    await blocked(check(single(bed.contracts.multicall)), 'typed-data.fake-permit2')
    await passes(check(single(PERMIT2)), 'typed-data.fake-permit2')
  })

  describe('Seaport orders', () => {
    const item = (itemType: number, token: Address, id: bigint, amount: bigint) => ({
      itemType,
      token,
      identifierOrCriteria: id.toString(),
      startAmount: amount.toString(),
      endAmount: amount.toString(),
    })
    const order = (offer: unknown[], consideration: unknown[]) => ({
      chainId,
      from: bed.user.address,
      typedData: {
        domain: { name: 'Seaport', version: '1.6', chainId, verifyingContract: bed.contracts.market },
        types: {
          OrderComponents: [
            { name: 'offerer', type: 'address' },
            { name: 'offer', type: 'OfferItem[]' },
            { name: 'consideration', type: 'ConsiderationItem[]' },
            { name: 'endTime', type: 'uint256' },
          ],
          OfferItem: [
            { name: 'itemType', type: 'uint8' },
            { name: 'token', type: 'address' },
            { name: 'identifierOrCriteria', type: 'uint256' },
            { name: 'startAmount', type: 'uint256' },
            { name: 'endAmount', type: 'uint256' },
          ],
          ConsiderationItem: [
            { name: 'itemType', type: 'uint8' },
            { name: 'token', type: 'address' },
            { name: 'identifierOrCriteria', type: 'uint256' },
            { name: 'startAmount', type: 'uint256' },
            { name: 'endAmount', type: 'uint256' },
            { name: 'recipient', type: 'address' },
          ],
        },
        primaryType: 'OrderComponents',
        message: { offerer: bed.user.address, offer, consideration, endTime: deadline.toString() },
      },
    })
    const zero = '0x0000000000000000000000000000000000000000' as Address
    const pay = (to: Address, wei: bigint) => ({ ...item(0, zero, 0n, wei), recipient: to })

    it('order.third-party: most of the price to someone else blocks; a 2.5 % fee passes', async () => {
      const nft = item(2, bed.contracts.nft, 1n, 1n)
      await blocked(
        check(order([nft], [pay(bed.user.address, parseEther('0.01')), pay(bed.attacker, parseEther('0.99'))])),
        'order.third-party',
      )
      await passes(
        check(
          order([nft], [pay(bed.user.address, parseEther('0.975')), pay(bed.contracts.market, parseEther('0.025'))]),
        ),
        'order.third-party',
      )
    })

    it('order.any-token-id: a criteria item open to any token id blocks; one token id passes', async () => {
      const price = [pay(bed.user.address, parseEther('1'))]
      await blocked(check(order([item(4, bed.contracts.nft, 0n, 1n)], price)), 'order.any-token-id')
      await passes(check(order([item(2, bed.contracts.nft, 1n, 1n)], price)), 'order.any-token-id')
    })
  })
})

describe("safe.config-change (the DeFi world's real Safe 1.4.1)", () => {
  let safe: SafeBed
  beforeAll(async () => {
    safe = await worldSafe(net())
  })
  // sent by the Safe's 1-of-1 owner (dev account 0), whose pre-validated signature it carries
  const exec = (data: Hex, to: Address = safe.safe, operation: 0 | 1 = 0): VerifyRequestInput => ({
    ...tx(safe.safe, execTransaction(safe, { to, data, operation })),
    from: safe.owner.address,
  })

  it('each configuration change through execTransaction blocks without an admin intent', async () => {
    const m = net().accounts[6]!.address
    for (const [fn, args] of [
      ['addOwnerWithThreshold', [bed.attacker, 1n]],
      ['changeThreshold', [1n]],
      ['enableModule', [m]],
      ['setFallbackHandler', [m]],
      ['setGuard', [m]],
    ] as const) {
      const r = await blocked(check(exec(safeCall(fn, [...args]))), 'safe.config-change')
      expect(r.reasons.find((f) => f.id === 'safe.config-change')!.message, fn).toMatch(/Changes the .* of the Safe/)
    }
  })

  it('and through a MultiSend batch', async () => {
    const batch = multiSend([{ to: safe.safe, data: safeCall('enableModule', [bed.attacker]) }])
    await blocked(check(exec(batch, safe.multiSend, 1)), 'safe.config-change')
  })

  it('an admin intent naming the change lets it through; naming another owner does not', async () => {
    const policy = { ...bed.policy, addressBook: { ...bed.policy.addressBook, safe: safe.safe } }
    const add = exec(safeCall('addOwnerWithThreshold', [bob.address, 1n]))
    await passes(check(add, `add ${bob.address} as an owner of my safe`, { policy }), 'safe.config-change')
    await blocked(check(add, `add ${bed.alice} as an owner of my safe`, { policy }), 'safe.config-change')
  })

  const SENTINEL = getAddress('0x0000000000000000000000000000000000000001')
  const policyWithSafe = () => ({ ...bed.policy, addressBook: { ...bed.policy.addressBook, safe: safe.safe } })
  /** Runs a configuration change for real (a second owner, say), as the Safe's owner. */
  const apply = async (data: Hex) => {
    const d = net()
    const hash = await d.walletFor(safe.owner).sendTransaction({
      to: safe.safe,
      data: execTransaction(safe, { to: safe.safe, data }),
    })
    expect((await d.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
  }

  it('removeOwner and swapOwner block without an admin intent, and under an intent naming another owner', async () => {
    await apply(safeCall('addOwnerWithThreshold', [bob.address, 1n]))
    const remove = exec(safeCall('removeOwner', [SENTINEL, bob.address, 1n]))
    const swap = exec(safeCall('swapOwner', [SENTINEL, bob.address, bed.alice]))
    for (const request of [remove, swap]) await blocked(check(request), 'safe.config-change')
    const policy = policyWithSafe()
    await blocked(check(remove, `remove ${bed.alice} from my safe`, { policy }), 'safe.config-change')
    await passes(check(remove, `remove ${bob.address} from my safe`, { policy }), 'safe.config-change')
    // "add alice as an owner" done by a swap that also drops bob is not what the words say
    await blocked(check(swap, `add ${bed.alice} as an owner of my safe`, { policy }), 'safe.config-change')
    await blocked(
      check(swap, `replace the owner ${bed.attacker} with ${bed.alice} on my safe`, { policy }),
      'safe.config-change',
    )
    await passes(
      check(swap, `replace the owner ${bob.address} with ${bed.alice} on my safe`, { policy }),
      'safe.config-change',
    )
  })

  it('changeThreshold, enableModule, setGuard and setFallbackHandler pass under the admin intent naming each, and only that one', async () => {
    const policy = policyWithSafe()
    const module = net().accounts[6]!.address
    const guard = await deployAndWait(net(), {
      name: 'NoopSafeGuard',
      abi: noopSafeGuardAbi,
      bytecode: noopSafeGuardBytecode,
      args: [],
    })
    const handler = net().accounts[7]!.address
    const cases = [
      [safeCall('changeThreshold', [1n]), 'change the threshold of my safe to 1'],
      [safeCall('enableModule', [module]), `enable module ${module} on my safe`],
      [safeCall('setGuard', [guard.address]), `set the guard of my safe to ${guard.address}`],
      [safeCall('setFallbackHandler', [handler]), `set the fallback handler of my safe to ${handler}`],
    ] as const
    for (const [data, words] of cases) {
      const r = await passes(check(exec(data), words, { policy }), 'safe.config-change')
      expect(r.verdict, `${words}\n${formatReport(r)}`).toBe('allow')
      // every other change is still blocked under these words
      for (const [other] of cases.filter(([d]) => d !== data))
        await blocked(check(exec(other), words, { policy }), 'safe.config-change')
    }
    // the same kind of change to another module, guard or handler than the one named
    await blocked(check(exec(safeCall('enableModule', [bed.attacker])), cases[1][1], { policy }), 'safe.config-change')
    await blocked(
      check(exec(safeCall('setFallbackHandler', [bed.attacker])), cases[3][1], { policy }),
      'safe.config-change',
    )
  })

  it('a threshold named in the words is the only one allowed: "to 2" passes 2 and blocks 1', async () => {
    await apply(safeCall('addOwnerWithThreshold', [bob.address, 1n]))
    const policy = policyWithSafe()
    const words = 'change the threshold of my safe to 2'
    await passes(check(exec(safeCall('changeThreshold', [2n])), words, { policy }), 'safe.config-change')
    const lower = await blocked(check(exec(safeCall('changeThreshold', [1n])), words, { policy }), 'safe.config-change')
    expect(lower.reasons.find((f) => f.id === 'safe.config-change')!.evidence).toMatchObject({ threshold: '1' })
  })

  it('a plain payment from the Safe is no configuration change', async () => {
    await sendAs(bed.user, bed.tokens.dUSD, devTokenAbi, 'transfer', [safe.safe, dUSD(50n)])
    const r = await check(
      exec(call(devTokenAbi, 'transfer', [bed.alice, dUSD(10n)]), bed.tokens.dUSD),
      'send 10 dUSD to alice',
    )
    expect(ids(r), formatReport(r)).not.toContain('safe.config-change')
    expect(r.verdict, formatReport(r)).toBe('allow')
  })
})
