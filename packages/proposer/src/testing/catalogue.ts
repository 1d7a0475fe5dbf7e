/** Test scaffolding for the agent, escrow, pool and generic-call actions on the devnet's DeFi world. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Abi, Address, LocalAccount } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { defiWorld, type Devnet } from '@hermit/devnet'
import { catalogueFromDeployments, type CatalogueOptions } from '../catalogue/plan.ts'
import type { ProposeOptions } from '../propose.ts'

/** The escrow's payment token (the devnet's DevToken, "dUSD", 6 decimals). */
export const devUsd = (devnet: Devnet): Address => devnet.deployments.contracts.DevToken!.address

/** Mints dUSD to `to` through DevToken's open faucet. */
export async function fundDevUsd(devnet: Devnet, to: Address, amount: bigint): Promise<void> {
  const hash = await devnet.walletClient.writeContract({
    address: devUsd(devnet),
    abi: devTokenAbi,
    functionName: 'mint',
    args: [to, amount],
  })
  await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
}

/** propose()'s options (as index.ts's proposeOptions) with the catalogue's contracts (and `extra`), dUSD on the token list. */
export function catalogueProposeOptions(
  devnet: Devnet,
  user: LocalAccount,
  book: Record<string, Address> = {},
  extra: Partial<CatalogueOptions> = {},
): ProposeOptions {
  const w = defiWorld(devnet.deployments)
  return {
    client: devnet.publicClient,
    rpcUrl: devnet.rpcUrl,
    user: user.address,
    protocols: w,
    addressBook: book,
    tokens: { ...w.tokens, dUSD: devUsd(devnet) },
    catalogue: { ...catalogueFromDeployments(devnet.deployments), ...extra },
  }
}

/** Writes `abi` as a JSON file (as a user would give with --abi); `artifact` wraps it as Foundry does. */
export function writeAbiFile(abi: Abi, artifact = false): string {
  const file = join(mkdtempSync(join(tmpdir(), 'hermit-abi-')), 'abi.json')
  writeFileSync(file, JSON.stringify(artifact ? { abi, bytecode: { object: '0x' } } : abi))
  return file
}

/** A fresh journal path for sendProposal. */
export const journalPath = (): string => join(mkdtempSync(join(tmpdir(), 'hermit-journal-')), 'journal.json')
