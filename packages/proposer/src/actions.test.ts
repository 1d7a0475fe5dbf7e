import { erc20Abi, parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld, nonfungiblePositionManagerAbi } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { buildCall, parseAction } from './actions.ts'

const net = useDevnet({ world: 'defi' })

/** Sends a built call as-is (no guard): proves Hermit's calldata does what the action says. */
async function land(action: unknown, index = 1) {
  const a = parseAction(action)
  const account = net().accounts[index]!
  const call = buildCall(a, account.address)
  const hash = await net()
    .walletFor(account)
    .sendTransaction({ ...call })
  return net().publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
}

describe('the catalogue: calldata built by Hermit', () => {
  it('WETH wrap and unwrap land and move exactly the amount', async () => {
    const w = defiWorld(net().deployments)
    const me = net().accounts[1]!.address
    const read = () =>
      net().publicClient.readContract({ address: w.weth, abi: erc20Abi, functionName: 'balanceOf', args: [me] })
    expect((await land({ kind: 'weth.wrap', weth: w.weth, amount: parseEther('2') })).status).toBe('success')
    expect(await read()).toBe(parseEther('2'))
    expect((await land({ kind: 'weth.unwrap', weth: w.weth, amount: '500000000000000000' })).status).toBe('success')
    expect(await read()).toBe(parseEther('1.5'))
  })

  it('an ERC-721 transfer (a Uniswap V3 position) lands with the new owner', async () => {
    const w = defiWorld(net().deployments)
    const pool = w.uniswapV3.pools.WETH_USDC_3000!
    const to = net().accounts[2]!.address
    const action = { kind: 'erc721.transfer', token: w.uniswapV3.positionManager, to, tokenId: pool.positionId }
    // the deployer (account 0) minted the seeded positions
    expect((await land(action, 0)).status).toBe('success')
    const owner = await net().publicClient.readContract({
      address: w.uniswapV3.positionManager,
      abi: nonfungiblePositionManagerAbi,
      functionName: 'ownerOf',
      args: [pool.positionId],
    })
    expect(owner).toBe(to)
  })

  it('refuses negative, fractional, absurd and unlimited amounts and non-addresses, naming the field', () => {
    const token = defiWorld(net().deployments).tokens.USDC
    const spender = net().accounts[2]!.address
    for (const amount of ['-1', '1.5', '1e18', (2n ** 256n - 1n).toString(), '0'])
      expect(() => parseAction({ kind: 'erc20.approve', token, spender, amount })).toThrow(/amount/)
    expect(() => parseAction({ kind: 'erc20.transfer', token, to: 'bob.eth', amount: '1' })).toThrow(/to: an address/)
    expect(() => parseAction({ kind: 'erc20.transferFrom', token, to: spender, amount: '1' })).toThrow(
      expect.objectContaining({ code: 'PROPOSER_INVALID_ACTION' }),
    )
  })
})
