import { erc20Abi, formatUnits, parseUnits, type Address, type PublicClient } from 'viem'
import { CliArgumentError, CliError } from './errors.ts'
import { notThatContract } from './reads.ts'

/** The unit an amount is counted in: a token's symbol and decimals (ETH: 18). */
export type Unit = { symbol: string; decimals: number }
export const ETH: Unit = { symbol: 'ETH', decimals: 18 }

/** An amount as people read it: whole units with the symbol, `5 dUSD`, `0.001 ETH`. */
export const showAmount = (value: bigint, unit: Unit): string => `${formatUnits(value, unit.decimals)} ${unit.symbol}`

/**
 * One rule for every amount the CLI takes: whole units with the symbol (`5 dUSD`, `0.001ETH`), or
 * base units spelled as such (`5000000 base`, `1000 wei`). A bare number is refused: `5` and
 * `5000000` would both look right and differ a million-fold.
 */
export function parseAmount(text: string, unit: Unit, flag: string, command: string): bigint {
  const bad = (why: string) =>
    new CliArgumentError('CLI_BAD_ARGUMENT', `${command}: ${flag}: ${why}`, {
      hint: `Write the unit: \`${flag} "5 ${unit.symbol}"\` (whole units), or \`${flag} "5000000 base"\` (base units, 10^-${unit.decimals} ${unit.symbol}).`,
      details: { flag },
    })
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z][A-Za-z0-9]*)?\s*$/.exec(text)
  if (!m) throw bad(`"${text}" is not an amount`)
  const [, number, symbol] = m as unknown as [string, string, string | undefined]
  if (symbol === undefined) throw bad(`"${text}" has no unit`)
  if (/^(base|wei)$/i.test(symbol)) {
    if (!/^\d+$/.test(number)) throw bad(`base units are whole numbers, not "${number}"`)
    return BigInt(number)
  }
  if (symbol.toLowerCase() !== unit.symbol.toLowerCase()) throw bad(`"${symbol}" is not ${unit.symbol}, the unit here`)
  if ((number.split('.')[1]?.length ?? 0) > unit.decimals)
    throw bad(`${unit.symbol} has ${unit.decimals} decimals, "${number}" has more`)
  return parseUnits(number, unit.decimals)
}

/**
 * The unit of an ERC-20, read from the chain (symbol and decimals). An address that does not answer
 * as one (an account, another contract) is CLI_NOT_A_TOKEN (65), not viem's dump of the failed read.
 */
export async function tokenUnit(publicClient: PublicClient, token: Address): Promise<Unit> {
  try {
    const [symbol, decimals] = await Promise.all([
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'symbol' }),
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' }),
    ])
    return { symbol, decimals }
  } catch (error) {
    if (!notThatContract(error)) throw error
    throw new CliError(
      'CLI_NOT_A_TOKEN',
      `${token} is not an ERC-20 on chain ${publicClient.chain?.id}: it does not answer symbol() and decimals().`,
      { cause: error, hint: 'Pass the address of an ERC-20 token on the chain --rpc points at.' },
    )
  }
}
