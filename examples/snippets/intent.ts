import { readIntent, resolveIntent, constraintsOf, chainFacts } from '@hermit/intent'
import { providerFromSpec } from '@hermit/llm'
import { startDevnet, defiWorld } from '@hermit/devnet'

const devnet = await startDevnet({ world: 'defi' }) // DAI, USDC, WETH, WBTC and their pools
const { tokens } = defiWorld(devnet.deployments)
const user = devnet.accounts[1]!.address
const addressBook = { bob: devnet.accounts[2]!.address } // the user's names for people and contracts
const provider = providerFromSpec('none') // or a model, cross-checked by the parser: the stricter reading wins
const reading = await readIntent('trade 1,000 DAI for ETH, no worse than 0.3 ETH', { provider, addressBook, tokens })
console.log(reading.described) // "your intent as read: swap 1000 DAI for ETH (at least 0.3 ETH) (by the parser)"
const chain = chainFacts(devnet.publicClient) // decimals, code, ENS: read from the chain, never guessed
const resolved = await resolveIntent(reading.intent, { user, addressBook, tokens, chain })
const limits = constraintsOf(resolved, user) // { maxOutflow, minInflow, recipients, counterparties, approvals, … }
console.log(limits.maxOutflow[0]?.amount, limits.minInflow[0]?.amount) // base units: 1000 DAI out at most, 0.3 ETH in
await devnet.stop()
