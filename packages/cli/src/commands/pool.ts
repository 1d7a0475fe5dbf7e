import type { Address } from 'viem'
import { readPool, type PoolInfo } from '@hermit/zkpay'
import { CliError } from '../errors.ts'
import { notThatContract } from '../reads.ts'
import type { chainClient } from './chain.ts'

/**
 * The CreditPool at `at`, read from the chain (`pay deposit`, `gateway`). An address with no code,
 * or a contract whose getters revert or answer nothing, is the user's mistake (CLI_NOT_A_POOL, 65),
 * not an internal error with viem's dump of the failed read.
 */
export async function poolAt(publicClient: Awaited<ReturnType<typeof chainClient>>, at: Address): Promise<PoolInfo> {
  const notAPool = (why: string, cause?: unknown) =>
    new CliError('CLI_NOT_A_POOL', `${at} is not a CreditPool on chain ${publicClient.chain.id}: ${why}.`, {
      ...(cause === undefined ? {} : { cause }),
      hint: 'Pass the address `hermit pay open-pool` printed, on the chain --rpc points at.',
    })
  const code = await publicClient.getCode({ address: at })
  if (!code || code === '0x') throw notAPool('there is no contract at that address')
  try {
    return await readPool(publicClient, at)
  } catch (error) {
    if (notThatContract(error)) throw notAPool('the contract there does not answer as one', error)
    throw error
  }
}
