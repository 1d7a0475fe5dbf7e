import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ClientAgent,
  EvaluatorAgent,
  ProviderAgent,
  escrowFromDeployments,
  summarizeSkill,
  summaryChecks,
  withModelReview,
} from '@hermit/agents'
import { devTokenAbi } from '@hermit/contracts'
import { startDevnet } from '@hermit/devnet'
import { registriesFromDeployments } from '@hermit/erc8004'
import { providerFromSpec } from '@hermit/llm'
import { parseUnits } from 'viem'

const devnet = await startDevnet()
const { publicClient, deployments } = devnet
const model = providerFromSpec('none') // extractive summaries and deterministic checks; or a local model
/** Dev account `i` as an agent: its escrow and ERC-8004 clients, and `dUSD` of the devnet's token (6 decimals). */
async function party(i: number, dUSD: string) {
  const account = devnet.accounts[i]!
  const walletClient = devnet.walletFor(account)
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
const [me, seller, checker] = [await party(1, '100'), await party(2, '100'), await party(3, '0')]

const provider = await new ProviderAgent({
  ...seller,
  name: 'Summarizer',
  description: 'Summaries of English text.',
  dataDir: mkdtempSync(join(tmpdir(), 'hermit-agent-')), // what it has quoted and delivered, to carry on after a restart
  skills: { summarize: summarizeSkill(parseUnits('5', 6), model) }, // 5 dUSD a job
}).start() // registers once, quotes, works, submits
const evaluator = new EvaluatorAgent({ ...checker, check: withModelReview(summaryChecks, model) }).start()
const text =
  'Hermit lets software agents hire other agents on Ethereum without a platform in the middle. ' +
  'A client escrows the budget of a job, and the provider locks a security bond. ' +
  'An evaluator checks the deliverable against its hash and completes or rejects the job.'
const r = await new ClientAgent(me).hire({
  skill: 'summarize',
  input: text,
  maxPrice: parseUnits('10', 6),
  evaluator: checker.account.address,
  // minReputation: { jobs: 1, average: 60 } would exclude this provider: it has no paid jobs yet
})
console.log(r.status) // 'Completed' | 'Rejected' | 'Expired'; r.deliverable is hash-checked; r.bond says where the bond went
await evaluator.stop()
await provider.stop()
await devnet.stop()
