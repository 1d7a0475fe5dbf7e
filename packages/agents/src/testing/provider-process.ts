// A provider agent in a process of its own, for tests that kill it (SIGKILL) and start another one on the
// same data folder. Started by `spawnProvider` (./index.ts) as `node --import tsx provider-process.ts`:
//   --rpc <url> --deployments <file> --account <index> --data <dir> [--price <dUSD>] [--handler summarize|hang]
// Its key is anvil's public dev mnemonic at `--account`: no private key travels on the command line.
// Writes one JSON line per ProviderEvent on stdout, then {"kind":"started","agentId","url"}; exits when its
// stdin closes (the test that started it is gone).
import { parseArgs } from 'node:util'
import { parseUnits } from 'viem'
import { ANVIL_MNEMONIC, createDevnetClients, devAccounts, readDeployments } from '@hermit/devnet'
import { registriesFromDeployments } from '@hermit/erc8004'
import { escrowFromDeployments } from '../handle.ts'
import { ProviderAgent } from '../provider/agent.ts'
import type { SkillHandler } from '../provider/types.ts'
import { summarizeSkill } from '../skills.ts'

const { values } = parseArgs({
  options: {
    rpc: { type: 'string' },
    deployments: { type: 'string' },
    account: { type: 'string' },
    data: { type: 'string' },
    price: { type: 'string', default: '5' },
    handler: { type: 'string', default: 'summarize' },
    'poll-ms': { type: 'string', default: '50' },
  },
})
if (!values.rpc || !values.deployments || !values.account || !values.data)
  throw new Error('provider-process: --rpc, --deployments, --account and --data are required')

const line = (value: unknown) =>
  process.stdout.write(`${JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`)

const deployments = readDeployments(values.deployments)
const index = Number(values.account)
const account = devAccounts(ANVIL_MNEMONIC, index + 1)[index]!
const { publicClient, walletClient } = createDevnetClients(values.rpc, deployments.chainId, account)
const skill = summarizeSkill(parseUnits(values.price, 6))
// "hang": a handler that never returns (a model call that does not answer), to be killed mid-work
const hang: SkillHandler = () => new Promise(() => {})
const agent = new ProviderAgent({
  escrow: escrowFromDeployments(deployments, { publicClient, walletClient }),
  erc8004: { publicClient, walletClient, registries: registriesFromDeployments(deployments) },
  name: `Summarizer ${index}`,
  description: 'Summaries, extractive when no model is configured.',
  skills: { summarize: values.handler === 'hang' ? { ...skill, handler: hang } : skill },
  dataDir: values.data,
  pollMs: Number(values['poll-ms']),
  onEvent: line,
})
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
await agent.start()
line({ kind: 'started', agentId: agent.agentId, url: agent.url })
