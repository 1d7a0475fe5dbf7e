import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseUnits, type HDAccount } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import type { Devnet } from '@hermit/devnet'
import { registriesFromDeployments, type Erc8004Client } from '@hermit/erc8004'
import { escrowFromDeployments, type Escrow } from '../handle.ts'

export type DevnetParty = { account: HDAccount; escrow: Escrow; erc8004: Erc8004Client; dataDir: string }

/** Dev account `index` as a party to jobs: escrow and ERC-8004 handles signing as it, a data folder, and `dUSD` to spend. */
export async function devnetParty(
  devnet: Devnet,
  index: number,
  options: { mint?: string; dataDir?: string } = {},
): Promise<DevnetParty> {
  const account = devnet.accounts[index]!
  const walletClient = devnet.walletFor(account)
  const escrow = escrowFromDeployments(devnet.deployments, { publicClient: devnet.publicClient, walletClient })
  const erc8004: Erc8004Client = {
    publicClient: devnet.publicClient,
    walletClient,
    registries: registriesFromDeployments(devnet.deployments),
  }
  const amount = parseUnits(options.mint ?? '1000', 6)
  if (amount > 0n) {
    const hash = await walletClient.writeContract({
      address: devnet.deployments.contracts.DevToken!.address,
      abi: devTokenAbi,
      functionName: 'mint',
      args: [account.address, amount],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
  }
  return { account, escrow, erc8004, dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), `hermit-agent-${index}-`)) }
}

/** Moves the chain's clock past `timestamp` (the devnet mines a block with the new time). */
export async function advanceChainPast(devnet: Devnet, timestamp: bigint): Promise<void> {
  const now = (await devnet.publicClient.getBlock({ blockTag: 'latest' })).timestamp
  if (now <= timestamp) await devnet.testClient.increaseTime({ seconds: Number(timestamp - now) + 1 })
  await devnet.testClient.mine({ blocks: 1 })
}
