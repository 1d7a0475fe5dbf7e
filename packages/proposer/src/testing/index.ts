/** Test scaffolding for @hermit/proposer: a user on the devnet's DeFi world, funded, with its token list. */
import type { Address, LocalAccount } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { defiWorld, type Devnet } from '@hermit/devnet'
import type { ProposeOptions } from '../propose.ts'

/** The world's tokens under their symbols, plus WETH: the user's token list. */
export function worldTokens(devnet: Devnet): Record<string, Address> {
  const w = defiWorld(devnet.deployments)
  return { ...w.tokens }
}

/** Mints dev tokens to `to` through each token's open faucet (the DefiWorld's DevTokens). */
export async function fund(devnet: Devnet, to: Address, amounts: Partial<Record<'USDC' | 'DAI' | 'WBTC', bigint>>) {
  const w = defiWorld(devnet.deployments)
  for (const [symbol, amount] of Object.entries(amounts)) {
    const hash = await devnet.walletClient.writeContract({
      address: w.tokens[symbol as 'USDC'],
      abi: devTokenAbi,
      functionName: 'mint',
      args: [to, amount],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
  }
}

/** propose()'s options for `user` on `devnet`: its protocols, the world's token list, `book` as address book. */
export function proposeOptions(
  devnet: Devnet,
  user: LocalAccount | Address,
  book: Record<string, Address> = {},
): ProposeOptions {
  const w = defiWorld(devnet.deployments)
  return {
    client: devnet.publicClient,
    rpcUrl: devnet.rpcUrl,
    user: typeof user === 'string' ? user : user.address,
    protocols: w,
    tokens: worldTokens(devnet),
    addressBook: book,
  }
}
export { createSafe } from './safe.ts'
export * from './catalogue.ts'
