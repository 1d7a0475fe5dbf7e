import { describe, expect, it } from 'vitest'
import { encodeAbiParameters, pad, toEventSelector, zeroAddress, type Address } from 'viem'
import { extractEffects } from './effects.ts'
import type { RawLog, Simulation } from './simulate.ts'

const weth: Address = '0x00000000000000000000000000000000000000E1'
const user: Address = '0x00000000000000000000000000000000000000A1'
const deposit = toEventSelector('event Deposit(address indexed dst, uint256 wad)')
const withdrawal = toEventSelector('event Withdrawal(address indexed src, uint256 wad)')

const log = (topic: `0x${string}`, who: Address, wad: bigint): RawLog => ({
  address: weth,
  topics: [topic, pad(who)],
  data: encodeAbiParameters([{ type: 'uint256' }], [wad]),
})
const sim = (logs: RawLog[], nativeTransfers: Simulation['nativeTransfers']): Simulation => ({
  success: true,
  gasUsed: 0n,
  frames: [],
  logs,
  nativeTransfers,
  created: [],
  delegateCalls: [],
})

describe('WETH9 wrap and unwrap (no Transfer event of their own)', () => {
  it('a Deposit backed by the same ETH into the contract is WETH minted to dst; a Withdrawal backed by ETH out is a burn', () => {
    const wrap = extractEffects(sim([log(deposit, user, 5n)], [{ from: user, to: weth, value: 5n }]))
    expect(wrap.transfers).toContainEqual({
      asset: { kind: 'erc20', token: weth },
      from: zeroAddress,
      to: user,
      amount: 5n,
    })
    const unwrap = extractEffects(sim([log(withdrawal, user, 7n)], [{ from: weth, to: user, value: 7n }]))
    expect(unwrap.transfers).toContainEqual({
      asset: { kind: 'erc20', token: weth },
      from: user,
      to: zeroAddress,
      amount: 7n,
    })
  })

  it('a Deposit or Withdrawal with no matching ETH movement (a staking pool reusing the signature, or a fake) counts for nothing', () => {
    const fake = extractEffects(
      sim([log(deposit, user, 5n), log(withdrawal, user, 7n)], [{ from: user, to: weth, value: 4n }]),
    )
    expect(fake.transfers.filter((t) => t.asset.kind === 'erc20')).toEqual([])
  })
})
