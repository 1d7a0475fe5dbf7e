/**
 * A job on the devnet you are running (`pnpm devnet`), for `hermit agents find` and `hermit jobs` to
 * read: dev account 2 registers as a "summarize" provider, account 3 evaluates, and account 1 hires
 * the provider through the escrow (budget 5 dUSD, bond, paid-job feedback). The CLI has no command
 * that registers an agent or creates a job, so this is the agents runtime, as in the README.
 *   RPC=http://127.0.0.1:8545 pnpm exec tsx examples/newcomer/hire.ts [-f .hermit/deployments.json]
 * The keys are anvil's public test mnemonic: devnet only, never real funds.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseUnits } from 'viem'
import { z } from 'zod'
import {
  ClientAgent,
  EvaluatorAgent,
  ProviderAgent,
  escrowFromDeployments,
  summarizeSkill,
  summaryChecks,
} from '@hermit/agents'
import { devTokenAbi } from '@hermit/contracts'
import { ANVIL_MNEMONIC, createDevnetClients, devAccounts, readDeployments } from '@hermit/devnet'
import { registriesFromDeployments } from '@hermit/erc8004'
import { providerFromSpec } from '@hermit/llm'

const flag = process.argv.indexOf('-f')
const file = resolve(flag >= 0 ? (process.argv[flag + 1] ?? '') : '.hermit/deployments.json')
const rpc = z.url().parse(process.env.RPC ?? 'http://127.0.0.1:8545')
const deployments = readDeployments(file)
const model = providerFromSpec('none') // extractive summaries and deterministic checks: no model needed
const accounts = devAccounts(ANVIL_MNEMONIC, 4)

/** Dev account `i` as an agent, with `dUSD` of the devnet's token minted to it. */
async function party(i: number, dUSD: string) {
  const account = accounts[i]!
  const { publicClient, walletClient } = createDevnetClients(rpc, deployments.chainId, account)
  const token = { address: deployments.contracts.DevToken!.address, abi: devTokenAbi, functionName: 'mint' } as const
  await publicClient.waitForTransactionReceipt({
    hash: await walletClient.writeContract({ ...token, args: [account.address, parseUnits(dUSD, 6)] }),
  })
  const escrow = escrowFromDeployments(deployments, { publicClient, walletClient })
  return {
    account,
    escrow,
    erc8004: { publicClient, walletClient, registries: registriesFromDeployments(deployments) },
  }
}
const [client, seller, checker] = [await party(1, '100'), await party(2, '100'), await party(3, '0')]

const provider = await new ProviderAgent({
  ...seller,
  name: 'Summarizer',
  description: 'Summaries of English text.',
  dataDir: mkdtempSync(join(tmpdir(), 'hermit-agent-')),
  skills: { summarize: summarizeSkill(parseUnits('5', 6), model) }, // 5 dUSD a job
}).start()
const evaluator = new EvaluatorAgent({ ...checker, check: summaryChecks }).start()
try {
  const r = await new ClientAgent(client).hire({
    skill: 'summarize',
    input:
      'Hermit lets software agents hire other agents on Ethereum without a platform in the middle. ' +
      'A client escrows the budget of a job, and the provider locks a security bond. ' +
      'An evaluator checks the deliverable against its hash and completes or rejects the job.',
    maxPrice: parseUnits('10', 6),
    evaluator: checker.account.address,
  })
  console.log(`job #${r.jobId} ${r.status}: client ${client.account.address}, provider agent #${r.agentId}`)
} finally {
  await evaluator.stop()
  await provider.stop()
}
