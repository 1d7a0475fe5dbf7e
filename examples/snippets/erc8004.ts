import {
  registerAgent,
  findAgents,
  giveFeedback,
  reputationOf,
  registriesFromDeployments,
  REGISTRATION_TYPE,
} from '@hermit/erc8004'
import { startDevnet } from '@hermit/devnet'
import { parseEther } from 'viem'

const devnet = await startDevnet()
const { publicClient, accounts } = devnet
const registries = registriesFromDeployments(devnet.deployments)
const owner = { publicClient, walletClient: devnet.walletFor(accounts[1]!), registries } // the agent's owner
const client = { publicClient, walletClient: devnet.walletFor(accounts[2]!), registries } // someone who hires it
const services = [{ name: 'hermit-job', endpoint: 'https://summarizer.example', skills: ['summarize'] }]
const { agentId } = await registerAgent(owner, {
  registration: {
    type: REGISTRATION_TYPE,
    name: 'Summarizer',
    description: 'Summarizes text.',
    services,
    active: true,
  },
})
const { agents } = await findAgents(client, { skill: 'summarize', active: true }) // scans Registered events
console.log(agents.map((a) => a.registration?.name).join(', ')) // "Summarizer"

// the client pays the agent, then rates it citing that payment: the feedback file goes on-chain as a data: URI + keccak256
const txHash = await client.walletClient.sendTransaction({ to: accounts[1]!.address, value: parseEther('0.01') })
await publicClient.waitForTransactionReceipt({ hash: txHash })
const proofOfPayment = {
  fromAddress: accounts[2]!.address,
  toAddress: accounts[1]!.address,
  chainId: devnet.chainId,
  txHash,
}
await giveFeedback(client, { agentId, value: 4n, valueDecimals: 0, tag1: 'stars', proofOfPayment })
const rep = await reputationOf(client, agentId, { requirePaymentProof: true }) // only paid-for feedback counts
console.log(`${rep.count} paid-for rating, average ${rep.average}`) // "1 paid-for rating, average 4"
await devnet.stop()
