/**
 * `hermit keys new|import|address --keystore <file>`: the signing key of `hermit propose` in an
 * encrypted keystore (scrypt + AES-256-GCM, @hermit/chain). The password comes from
 * $HERMIT_KEYSTORE_PASSWORD and a key to import from $HERMIT_PRIVATE_KEY, never from flags (flags
 * land in shell history); neither is ever printed. Only the address is shown.
 */
import { resolve } from 'node:path'
import type { Command } from 'commander'
import {
  createWalletClient,
  http,
  isHex,
  type Chain,
  type Hex,
  type LocalAccount,
  type Transport,
  type WalletClient,
} from 'viem'
import { z } from 'zod'
import { keystoreAddress, loadAccountKeystore, newAccountKeystore, saveAccountKeystore } from '@hermit/chain'
import { devnetChain } from '@hermit/devnet'
import { parseArgs } from '../args.ts'
import { CliError } from '../errors.ts'
import type { Output } from '../output.ts'
import { secret, wallet } from './chain.ts'

const keystoreArgs = z.strictObject({ keystore: z.string().min(1), json: z.boolean().optional() })

/** The signer of a chain command: the keystore's key when `--keystore` is given, else $HERMIT_PRIVATE_KEY. */
export function signerFor(
  keystore: string | undefined,
  rpcUrl: string,
  chainId: number,
): WalletClient<Transport, Chain, LocalAccount> {
  if (!keystore) return wallet(rpcUrl, chainId)
  const account = loadAccountKeystore(resolve(keystore), secret('HERMIT_KEYSTORE_PASSWORD'))
  return createWalletClient({ chain: devnetChain(chainId, rpcUrl), transport: http(rpcUrl), account })
}

export function registerKeys(program: Command, output: () => Output): void {
  const keys = program
    .command('keys')
    .description(
      'the signing key in an encrypted keystore (password: $HERMIT_KEYSTORE_PASSWORD); use it with `hermit propose --keystore <file>`',
    )
  const run = (name: string, what: (path: string) => { address: string; created: boolean }) =>
    keys
      .command(name)
      .requiredOption('-k, --keystore <file>', 'the keystore file')
      .option('--json', 'machine-readable JSON')
      .action((raw: Record<string, unknown>) => {
        const o = parseArgs(keystoreArgs, raw, `keys ${name}`)
        const path = resolve(o.keystore)
        const r = what(path)
        output().result({ keystore: path, ...r }, () =>
          r.created ? `${r.address}\nkeystore written to ${path} (mode 0600)` : r.address,
        )
      })
  run('new', (path) => ({
    address: newAccountKeystore(path, secret('HERMIT_KEYSTORE_PASSWORD')),
    created: true,
  })).description('create a new random key in <file>')
  run('import', (path) => {
    const key = secret('HERMIT_PRIVATE_KEY')
    if (!isHex(key) || key.length !== 66)
      throw new CliError('CLI_BAD_ARGUMENT', 'HERMIT_PRIVATE_KEY is not a 32-byte hex key.', {
        hint: 'Set it to 0x and 64 hex digits.',
      })
    return { address: saveAccountKeystore(path, key as Hex, secret('HERMIT_KEYSTORE_PASSWORD')), created: true }
  }).description('encrypt the key in $HERMIT_PRIVATE_KEY into <file>')
  run('address', (path) => ({ address: keystoreAddress(path), created: false })).description(
    "print the keystore's address (no password needed)",
  )
}
