import {
  BaseError,
  InsufficientFundsError,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  isAddress,
  formatEther,
  isHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { z } from 'zod'
import { CliError } from '../errors.ts'
import { devnetChain } from '@hermit/devnet'

/** What the chain-facing commands share: argument schemas, the RPC client, and the wallet from the environment. */
export const rpc = z.url({ protocol: /^(https?|wss?)$/, error: 'expected an http(s) or ws(s) JSON-RPC URL' })
export const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)

/** Secrets come from the environment at this edge, never from flags (flags land in shell history). */
export function secret(name: 'HERMIT_KEYSTORE_PASSWORD' | 'HERMIT_PRIVATE_KEY'): string {
  const v = process.env[name]
  if (!v)
    throw new CliError('CLI_MISSING_SECRET', `Set ${name} in the environment.`, {
      hint:
        name === 'HERMIT_PRIVATE_KEY'
          ? 'The key of the wallet that pays (0x…, 32 bytes).'
          : 'The password of the keystore: the ZK identity, or the signing key of --keystore (8+ characters).',
    })
  return v
}

export function wallet(rpcUrl: string, chainId: number) {
  const key = secret('HERMIT_PRIVATE_KEY')
  if (!isHex(key) || key.length !== 66)
    throw new CliError('CLI_BAD_ARGUMENT', 'HERMIT_PRIVATE_KEY is not a 32-byte hex key.', {
      hint: 'Set it to 0x and 64 hex digits.',
    })
  let account: PrivateKeyAccount
  try {
    account = privateKeyToAccount(key as Hex)
  } catch {
    // not even as the cause: the curve library's message quotes the key (in decimal)
    throw new CliError(
      'CLI_BAD_ARGUMENT',
      'HERMIT_PRIVATE_KEY is not a valid private key (0 or not below the curve order).',
      { hint: 'Set it to the key of the wallet that pays: 0x and 64 hex digits, from a wallet or `cast wallet new`.' },
    )
  }
  return createWalletClient({ chain: devnetChain(chainId, rpcUrl), transport: http(rpcUrl), account })
}

export async function chainClient(rpcUrl: string) {
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) })
  let chainId: number
  try {
    chainId = await probe.getChainId()
  } catch (cause) {
    throw new CliError('CLI_RPC_UNREACHABLE', `The chain at ${new URL(rpcUrl).host} does not answer.`, {
      cause,
      hint: 'Check --rpc (e.g. start `pnpm devnet`).',
    })
  }
  return createPublicClient({
    chain: devnetChain(chainId, rpcUrl),
    transport: http(rpcUrl, { retryCount: 0 }),
    pollingInterval: 50,
    cacheTime: 0,
  })
}

/**
 * Runs `send` (transactions from `account`); an account that cannot pay for them is said as such —
 * its address and balance — instead of the node's "total cost … exceeds the balance" dump.
 */
export async function paidBy<T>(publicClient: PublicClient, account: Address, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (error) {
    const poor = (e: unknown) => e instanceof InsufficientFundsError
    if (!(poor(error) || (error instanceof Error && walkCauses(error, poor)))) throw error
    const balance = await publicClient.getBalance({ address: account })
    throw new CliError(
      'CLI_NO_FUNDS',
      `The account ${account} has ${formatEther(balance)} ETH: not enough for gas (and what it pays).`,
      {
        cause: error,
        hint: "Fund it, or set HERMIT_PRIVATE_KEY to a funded key (on the devnet: anvil's first test key, see the README).",
      },
    )
  }
}

/** Whether `test` holds for `error` or any of its causes (viem's `walk`, for errors wrapped by Hermit too). */
function walkCauses(error: Error, test: (e: unknown) => boolean): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    if (test(e) || (e instanceof BaseError && e.walk(test))) return true
  }
  return false
}
