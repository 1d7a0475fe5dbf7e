/** A Safe of the caller's choosing, made through the DeFi world's real SafeProxyFactory (Safe 1.4.1). */
import { encodeFunctionData, parseEventLogs, zeroAddress, type Address } from 'viem'
import { defiWorld, safeAbi, safeProxyFactoryAbi, type Devnet } from '@hermit/devnet'

let salt = 1000n

/** Creates a Safe owned by `owners` with `threshold`, funded with `eth` wei from dev account 0. */
export async function createSafe(devnet: Devnet, owners: Address[], threshold: number, eth = 0n): Promise<Address> {
  const w = defiWorld(devnet.deployments)
  const initializer = encodeFunctionData({
    abi: safeAbi,
    functionName: 'setup',
    args: [owners, BigInt(threshold), zeroAddress, '0x', w.safe.fallbackHandler, zeroAddress, 0n, zeroAddress],
  })
  const hash = await devnet.walletClient.writeContract({
    address: w.safe.proxyFactory,
    abi: safeProxyFactoryAbi,
    functionName: 'createProxyWithNonce',
    args: [w.safe.singleton, initializer, salt++],
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
  const [created] = parseEventLogs({ abi: safeProxyFactoryAbi, eventName: 'ProxyCreation', logs: receipt.logs })
  const safe = created!.args.proxy
  if (eth > 0n) {
    const tx = await devnet.walletClient.sendTransaction({ to: safe, value: eth })
    await devnet.publicClient.waitForTransactionReceipt({ hash: tx, pollingInterval: 10 })
  }
  return safe
}
