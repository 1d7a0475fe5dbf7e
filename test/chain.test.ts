// @hermit/chain against a real Anvil: writes are simulated first, so a revert names the contract's reason.
import { describe, expect, it } from 'vitest'
import { erc20Abi } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { ChainError, ContractRevertError, getLogsPaged, readContract, writeAndWait } from '@hermit/chain'

const net = useDevnet()

describe('@hermit/chain', () => {
  it('writeAndWait sends an inferred call and returns its receipt', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const token = deployments.contracts.DevToken!.address
    const walletClient = walletFor(accounts[3]!)
    const receipt = await writeAndWait(
      { publicClient, walletClient },
      { address: token, abi: devTokenAbi, functionName: 'mint', args: [accounts[3]!.address, 1_000n] },
    )
    expect(receipt.status).toBe('success')
    const balance = await readContract(publicClient, {
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [accounts[3]!.address],
    })
    expect(balance).toBe(1_000n)
  })

  it('a revert becomes a ContractRevertError with the reason, and nothing is sent', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const token = deployments.contracts.DevToken!.address
    const walletClient = walletFor(accounts[3]!)
    const before = await publicClient.getTransactionCount({ address: accounts[3]!.address })
    const error = await writeAndWait(
      { publicClient, walletClient },
      { address: token, abi: devTokenAbi, functionName: 'transfer', args: [accounts[4]!.address, 10n ** 30n] },
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ContractRevertError)
    expect((error as ContractRevertError).code).toBe('CHAIN_REVERTED')
    expect((error as ContractRevertError).functionName).toBe('transfer')
    expect((error as ContractRevertError).reason).toBe('ERC20InsufficientBalance')
    expect(await publicClient.getTransactionCount({ address: accounts[3]!.address })).toBe(before)
  })

  it('a write without a wallet is a typed error', async () => {
    const { publicClient, deployments, accounts } = net()
    const error = await writeAndWait(
      { publicClient },
      {
        address: deployments.contracts.DevToken!.address,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [accounts[0]!.address, 1n],
      },
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ChainError)
    expect((error as ChainError).code).toBe('CHAIN_NO_WALLET')
  })

  it('getLogsPaged reads every page, oldest first', async () => {
    const { publicClient, walletFor, accounts, deployments } = net()
    const token = deployments.contracts.DevToken!.address
    const walletClient = walletFor(accounts[5]!)
    const from = await publicClient.getBlockNumber({ cacheTime: 0 })
    for (const amount of [1n, 2n, 3n]) {
      await writeAndWait(
        { publicClient, walletClient },
        { address: token, abi: devTokenAbi, functionName: 'mint', args: [accounts[5]!.address, amount] },
      )
    }
    const transfer = erc20Abi.find((item) => item.type === 'event' && item.name === 'Transfer')!
    const logs = await getLogsPaged(publicClient, {
      address: token,
      event: transfer,
      args: { to: accounts[5]!.address },
      fromBlock: from,
      pageSize: 1n,
    })
    expect(logs.map((log) => log.args.value)).toEqual([1n, 2n, 3n])
  })
})
