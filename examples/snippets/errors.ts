import { ContractRevertError, writeAndWait } from '@hermit/chain'
import { devTokenAbi } from '@hermit/contracts'
import { startDevnet } from '@hermit/devnet'

const devnet = await startDevnet() // a real anvil on a free port, every contract deployed
const { publicClient, accounts, deployments } = devnet
const walletClient = devnet.walletFor(accounts[1]!)
const token = deployments.contracts.DevToken!.address
try {
  // more than anyone holds: the token reverts, and nothing is sent
  const args = [accounts[2]!.address, 2n ** 200n] as const
  await writeAndWait(
    { publicClient, walletClient },
    { address: token, abi: devTokenAbi, functionName: 'transfer', args },
  )
} catch (error) {
  // the custom error's name when the ABI declares it (viem's erc20Abi does not: then its selector)
  if (error instanceof ContractRevertError) console.log(error.reason) // "ERC20InsufficientBalance"
} finally {
  await devnet.stop()
}
