import { startDevnet, withDevnet } from '@hermit/devnet'
import { devTokenAbi } from '@hermit/contracts'

const devnet = await startDevnet() // a real anvil on a free port, every contract deployed
const { publicClient, walletClient, accounts, deployments } = devnet
const token = deployments.contracts.DevToken!.address
const to = accounts[1]!.address
const hash = await walletClient.writeContract({
  address: token,
  abi: devTokenAbi,
  functionName: 'mint',
  args: [to, 10n ** 6n],
})
await publicClient.waitForTransactionReceipt({ hash })
console.log(
  await publicClient.readContract({ address: token, abi: devTokenAbi, functionName: 'balanceOf', args: [to] }),
)

// a fork of any chain (here: of this devnet), stopped when the callback returns
await withDevnet({ fork: { url: devnet.rpcUrl }, deploy: false }, async (fork) => {
  console.log(await fork.publicClient.getBlockNumber()) // the fork starts at the devnet's head
})
await devnet.stop() // also ended if this process exits in any way
