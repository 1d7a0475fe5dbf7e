// Cross-package: typed ABIs from @hermit/contracts, signing with viem, a real Anvil from @hermit/devnet.
import { describe, expect, it } from 'vitest'
import { parseSignature } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { devTokenPermit } from '@hermit/txguard/testing'

const net = useDevnet()

describe('EIP-2612 permit on the devnet token', () => {
  it('a signed permit lets a spender pull tokens without an approve transaction', async () => {
    const { publicClient, walletFor, accounts, deployments, chainId } = net()
    const token = deployments.contracts.DevToken!.address
    const [owner, spender] = [accounts[4]!, accounts[5]!]
    const ownerWallet = walletFor(owner)
    await publicClient.waitForTransactionReceipt({
      hash: await ownerWallet.writeContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [owner.address, 5_000_000n],
      }),
    })
    const deadline = (await publicClient.getBlock()).timestamp + 600n
    const nonce = await publicClient.readContract({
      address: token,
      abi: devTokenAbi,
      functionName: 'nonces',
      args: [owner.address],
    })
    const signature = await owner.signTypedData(
      devTokenPermit(chainId, token, {
        owner: owner.address,
        spender: spender.address,
        value: 2_000_000n,
        nonce,
        deadline,
      }),
    )
    const { v, r, s } = parseSignature(signature)
    const spenderWallet = walletFor(spender)
    await publicClient.waitForTransactionReceipt({
      hash: await spenderWallet.writeContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'permit',
        args: [owner.address, spender.address, 2_000_000n, deadline, Number(v), r, s],
      }),
    })
    await publicClient.waitForTransactionReceipt({
      hash: await spenderWallet.writeContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'transferFrom',
        args: [owner.address, spender.address, 1_500_000n],
      }),
    })
    const read = (a: `0x${string}`) =>
      publicClient.readContract({ address: token, abi: devTokenAbi, functionName: 'balanceOf', args: [a] })
    expect(await read(owner.address)).toBe(3_500_000n)
    expect(await read(spender.address)).toBe(1_500_000n)
    expect(
      await publicClient.readContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'allowance',
        args: [owner.address, spender.address],
      }),
    ).toBe(500_000n)

    // a replayed permit fails: the nonce moved on
    await expect(
      publicClient.simulateContract({
        account: spender,
        address: token,
        abi: devTokenAbi,
        functionName: 'permit',
        args: [owner.address, spender.address, 2_000_000n, deadline, Number(v), r, s],
      }),
    ).rejects.toThrow(/ERC2612InvalidSigner/)
  })
})
