// The escrow's payment token (an ERC-20): its address, approvals and balances.
import { erc20Abi, formatUnits, type Address } from 'viem'
import { readContract, requireWallet, writeAndWait } from '@hermit/chain'
import type { Escrow, TokenUnit } from './handle.ts'

/** The ERC-20 this escrow takes budgets (and its hook bonds) in; read once per handle. */
export function paymentToken(escrow: Escrow): Promise<Address> {
  return escrow.constants.paymentToken()
}

/** The payment token's symbol and decimals, read once per handle: every amount said to people carries it. */
export function paymentUnit(escrow: Escrow): Promise<TokenUnit> {
  return escrow.constants.paymentUnit()
}

/** An amount as people read it, whole units with the symbol: `5 dUSD`, never a bare base-unit number. */
export const showTokenAmount = (value: bigint, unit: TokenUnit): string =>
  `${formatUnits(value, unit.decimals)} ${unit.symbol}`

/** Raises the wallet's allowance of the payment token for `spender` to at least `amount` (no transaction when it already is). */
export async function approvePaymentToken(escrow: Escrow, spender: Address, amount: bigint): Promise<void> {
  const token = await paymentToken(escrow)
  const owner = requireWallet(escrow).account.address
  const current = await readContract(escrow.publicClient, {
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [owner, spender],
  })
  if (current >= amount) return
  await writeAndWait(escrow, { address: token, abi: erc20Abi, functionName: 'approve', args: [spender, amount] })
}

/** `who`'s balance of the payment token, in base units. */
export async function tokenBalance(escrow: Escrow, who: Address): Promise<bigint> {
  return readContract(escrow.publicClient, {
    address: await paymentToken(escrow),
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [who],
  })
}
