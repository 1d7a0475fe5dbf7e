import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { devTokenAbi } from '@hermit/contracts'
import { startDevnet, defiWorld } from '@hermit/devnet'
import { propose, sendProposal } from '@hermit/proposer'
import { parseUnits } from 'viem'

const devnet = await startDevnet({ world: 'defi' })
const { publicClient: client, rpcUrl, deployments } = devnet
const account = devnet.accounts[1]! // a local account: sendProposal signs with it
const world = defiWorld(deployments)
const tokens = world.tokens // the user's token list: symbol → address
// the world's tokens have an open faucet: give the user 3000 USDC to swap
const mint = { address: tokens.USDC, abi: devTokenAbi, functionName: 'mint' } as const
const hash = await devnet.walletClient.writeContract({ ...mint, args: [account.address, parseUnits('3000', 6)] })
await client.waitForTransactionReceipt({ hash })

const words = 'swap 3000 USDC for WETH, at least 0.9 WETH'
const p = await propose(words, { client, rpcUrl, user: account.address, protocols: world, tokens })
// p.steps: [erc20.approve (exact), swap.v3], each with its meaning, gas, txguard report; p.verdict
console.log(p.steps.map((s) => s.action.kind).join(', '), p.verdict)
const journal = join(mkdtempSync(join(tmpdir(), 'hermit-')), 'proposer-journal.json') // e.g. ~/.hermit/…
const sent = await sendProposal(p, { client, account, journal })
// sent.differences: real balance changes that differ from the simulated ones (empty when they match)
console.log(`${sent.differences.length} differences from the simulation`)
await devnet.stop()
