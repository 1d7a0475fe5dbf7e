import {
  erc20Abi,
  formatUnits,
  getAddress,
  isAddressEqual,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
} from 'viem'
import type { Proposal } from '@hermit/proposer'
import type { EffectRow } from './view.ts'

type Client = PublicClient<Transport, Chain>

async function balance(client: Client, user: Hex, asset: string, blockNumber: bigint): Promise<bigint> {
  if (asset === 'native') return client.getBalance({ address: user, blockNumber })
  return client.readContract({
    address: getAddress(asset),
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [user],
    blockNumber,
  })
}

async function decimalsOf(client: Client, asset: string): Promise<number> {
  if (asset === 'native') return 18
  return client.readContract({ address: getAddress(asset), abi: erc20Abi, functionName: 'decimals' }).catch(() => 0)
}

const signed = (v: bigint, decimals: number) =>
  `${v > 0n ? '+' : v < 0n ? '-' : ''}${formatUnits(v < 0n ? -v : v, decimals)}`

/**
 * The user's real balance changes in each mined step, next to the simulated ones: the balances
 * before and after the step's block, for every asset the simulation said the user's balance moves
 * in, and ETH (gas is added back, as the simulation counts none). Read from the chain, not taken
 * from the proposal, so a difference shows.
 */
export async function realEffects(client: Client, p: Proposal, receipts: TransactionReceipt[]): Promise<EffectRow[]> {
  const rows: EffectRow[] = []
  for (const [i, receipt] of receipts.entries()) {
    const step = p.steps[i]
    if (!step) break
    const simulated = new Map<string, { delta: bigint; symbol: string }>()
    for (const c of step.report.changes)
      if (isAddressEqual(c.holder, p.user) && !c.formatted.includes('NFT'))
        simulated.set(c.asset === 'native' ? 'native' : c.asset.toLowerCase(), { delta: c.delta, symbol: c.symbol })
    if (!simulated.has('native')) simulated.set('native', { delta: 0n, symbol: 'ETH' })
    for (const [asset, sim] of simulated) {
      const [before, after, decimals] = await Promise.all([
        balance(client, p.user, asset, receipt.blockNumber - 1n),
        balance(client, p.user, asset, receipt.blockNumber),
        decimalsOf(client, asset),
      ])
      const gas = asset === 'native' ? receipt.gasUsed * receipt.effectiveGasPrice : 0n
      const real = after - before + gas
      rows.push({
        step: i + 1,
        asset,
        symbol: sim.symbol,
        simulated: signed(sim.delta, decimals),
        real: signed(real, decimals),
        same: real === sim.delta,
      })
    }
  }
  return rows
}
