// A proposer in a process of its own, for the test that SIGKILLs it between signing and sending:
// it proposes "send <amount> ETH to <to>", signs, records the raw tx in the journal, prints
// {"kind":"recorded"} and then waits forever instead of broadcasting, so the parent kills it there.
// Key: $HERMIT_PRIVATE_KEY. Args: --rpc <url> --deployments <file> --journal <file> --to <address> --amount <eth>
import { parseArgs } from 'node:util'
import { createPublicClient, http, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { defiWorld, devnetChain, readDeployments } from '@hermit/devnet'
import { propose } from '../propose.ts'
import { sendProposal } from '../send.ts'

const { values } = parseArgs({
  options: {
    rpc: { type: 'string' },
    deployments: { type: 'string' },
    journal: { type: 'string' },
    to: { type: 'string' },
    amount: { type: 'string' },
  },
})
const deployments = readDeployments(values.deployments!)
const client = createPublicClient({
  chain: devnetChain(deployments.chainId, values.rpc!),
  transport: http(values.rpc!),
})
const account = privateKeyToAccount(process.env.HERMIT_PRIVATE_KEY as Hex)
const proposal = await propose(`send ${values.amount} ETH to ${values.to as Address}`, {
  client,
  rpcUrl: values.rpc!,
  user: account.address,
  protocols: defiWorld(deployments),
})
await sendProposal(proposal, {
  client,
  account,
  journal: values.journal!,
  afterRecord: (entry) => {
    process.stdout.write(`${JSON.stringify({ kind: 'recorded', hash: entry.hash, nonce: entry.nonce })}\n`)
    return new Promise<void>(() => {}) // the crash point: never broadcast
  },
})
