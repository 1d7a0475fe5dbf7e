// The devnet options and helpers the README lists beyond the defaults: chain id, accounts, balance
// and mnemonic reach anvil; `plan` chooses the deploy steps and a failing step is a DeployError
// naming its contract; `createDevnetClients` works on a devnet started elsewhere; `devAccounts`
// derives anvil's accounts.
import { parseEther, type Hex } from 'viem'
import { describe, expect, it } from 'vitest'
import { devTokenAbi, devTokenBytecode } from '@hermit/contracts'
import { ANVIL_MNEMONIC, DeployError, createDevnetClients, devAccounts, startDevnet, type DeployStep } from './index.ts'

const devToken: DeployStep = {
  name: 'DevToken',
  abi: devTokenAbi,
  bytecode: devTokenBytecode,
  args: () => ['Dev USD', 'dUSD', 6, 10n ** 12n],
}

describe('devnet options', () => {
  it('chainId, accounts, balance and mnemonic reach anvil; devAccounts derives the same accounts', async () => {
    const mnemonic = 'legal winner thank year wave sausage worth useful legal winner thank yellow'
    const devnet = await startDevnet({ chainId: 4242, accounts: 3, balance: 7, mnemonic, deploy: false })
    try {
      expect(await devnet.publicClient.getChainId()).toBe(4242)
      expect(devnet.chainId).toBe(4242)
      expect(devnet.accounts.map((a) => a.address)).toEqual(devAccounts(mnemonic, 3).map((a) => a.address))
      expect(devnet.accounts.map((a) => a.address)).not.toContain(devAccounts(ANVIL_MNEMONIC, 1)[0]!.address)
      for (const a of devnet.accounts)
        expect(await devnet.publicClient.getBalance({ address: a.address })).toBe(parseEther('7'))
      // anvil funds exactly `accounts` of them
      const fourth = devAccounts(mnemonic, 4)[3]!.address
      expect(await devnet.publicClient.getBalance({ address: fourth })).toBe(0n)
      expect(devnet.deployments.contracts).toEqual({})
    } finally {
      await devnet.stop()
    }
  })

  it('plan chooses the deploy steps; createDevnetClients reads and writes on a devnet started elsewhere', async () => {
    const devnet = await startDevnet({ plan: [devToken] })
    try {
      expect(Object.keys(devnet.deployments.contracts)).toEqual(['DevToken'])
      const token = devnet.deployments.contracts.DevToken!.address
      const elsewhere = createDevnetClients(devnet.rpcUrl, devnet.chainId, devnet.accounts[4]!)
      const hash = await elsewhere.walletClient.writeContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [devnet.accounts[4]!.address, 123n],
      })
      expect((await elsewhere.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
      expect(
        await devnet.publicClient.readContract({
          address: token,
          abi: devTokenAbi,
          functionName: 'balanceOf',
          args: [devnet.accounts[4]!.address],
        }),
      ).toBe(123n)
    } finally {
      await devnet.stop()
    }
  })

  it('a deploy step that fails is a DeployError (DEVNET_DEPLOY_FAILED) naming the contract', async () => {
    const broken: DeployStep = { ...devToken, name: 'Broken', bytecode: '0xfe' as Hex } // INVALID at once
    const error = await startDevnet({ plan: [devToken, broken] }).then(
      async (d) => {
        await d.stop()
        return undefined
      },
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DeployError)
    expect(error).toMatchObject({ code: 'DEVNET_DEPLOY_FAILED', details: { contract: 'Broken' } })
    expect((error as DeployError).shortMessage).toBe('Deploying Broken failed.')
  })
})
