import { describe, expect, it } from 'vitest'
import { parseEther } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from './testing/index.ts'
import { startDevnet, withDevnet } from './devnet.ts'

const net = useDevnet()

describe('devnet', () => {
  it('deploys Hermit contracts, sends transactions and reads state back', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const token = deployments.contracts.DevToken!
    expect(await publicClient.getCode({ address: token.address })).toMatch(/^0x[0-9a-f]{100,}/)
    expect(token.gasUsed).toBeGreaterThan(0n)

    const [alice, bob] = [accounts[1]!, accounts[2]!]
    const before = await publicClient.getBalance({ address: bob.address })
    const aliceWallet = walletFor(alice)
    const hash = await aliceWallet.sendTransaction({ to: bob.address, value: parseEther('1.5') })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(await publicClient.getBalance({ address: bob.address })).toBe(before + parseEther('1.5'))

    await publicClient.waitForTransactionReceipt({
      hash: await aliceWallet.writeContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [alice.address, 250_000_000n],
      }),
    })
    await publicClient.waitForTransactionReceipt({
      hash: await aliceWallet.writeContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'transfer',
        args: [bob.address, 40_000_000n],
      }),
    })
    const [a, b] = await Promise.all([
      publicClient.readContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'balanceOf',
        args: [alice.address],
      }),
      publicClient.readContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'balanceOf',
        args: [bob.address],
      }),
    ])
    expect([a, b]).toEqual([210_000_000n, 40_000_000n])
  })

  it('reverts to the freshly deployed state between tests', async () => {
    const { publicClient, deployments, accounts } = net()
    const supply = await publicClient.readContract({
      address: deployments.contracts.DevToken!.address,
      abi: devTokenAbi,
      functionName: 'totalSupply',
    })
    expect(supply).toBe(0n)
    expect(await publicClient.getBalance({ address: accounts[2]!.address })).toBe(parseEther('10000'))
  })

  it('forks another chain at a block and sees its state', async () => {
    const upstream = net()
    const token = upstream.deployments.contracts.DevToken!
    const minter = upstream.walletFor(upstream.accounts[3]!)
    await upstream.publicClient.waitForTransactionReceipt({
      hash: await minter.writeContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [upstream.accounts[3]!.address, 7n],
      }),
    })
    const blockNumber = await upstream.publicClient.getBlockNumber()
    await withDevnet({ fork: { url: upstream.rpcUrl, blockNumber }, deploy: false }, async (fork) => {
      expect(fork.chainId).toBe(upstream.chainId)
      expect(fork.deployments.fork?.blockNumber).toBe(blockNumber)
      const balance = await fork.publicClient.readContract({
        address: token.address,
        abi: devTokenAbi,
        functionName: 'balanceOf',
        args: [upstream.accounts[3]!.address],
      })
      expect(balance).toBe(7n)
    })
  })

  it('pruneHistory keeps only the newest states, as a non-archive node does', async () => {
    for (const pruneHistory of [8, true] as const) {
      await withDevnet({ pruneHistory, deploy: false }, async (d) => {
        await d.testClient.mine({ blocks: 300 })
        const address = d.accounts[0]!.address
        expect(await d.publicClient.getBalance({ address, blockNumber: 300n })).toBe(parseEther('10000'))
        await expect(d.publicClient.getBalance({ address, blockNumber: 2n })).rejects.toThrow(/BlockOutOfRange/)
        // blocks themselves are kept: only their state is gone
        expect((await d.publicClient.getBlock({ blockNumber: 2n })).number).toBe(2n)
      })
    }
  })

  it('hands out distinct free ports and a clean stop', async () => {
    const a = await startDevnet({ deploy: false })
    const b = await startDevnet({ deploy: false })
    try {
      expect(a.rpcUrl).not.toBe(b.rpcUrl)
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
    await a.stop() // idempotent
  })
})
