import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseUnits, toHex } from 'viem'
import { HDKey } from 'viem/accounts'
import { mnemonicToSeedSync } from '@scure/bip39'
import { ANVIL_MNEMONIC, writeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import {
  acceptJob,
  approvePaymentToken,
  chainTime,
  createJob,
  encodeJobRequest,
  fundJob,
  setBudget,
  tokenBalance,
} from '@hermit/agents'
import { advanceChainPast, devnetParty, registerListedProvider } from '@hermit/agents/testing'
import { ExitCode } from './exit.ts'
import { runHermit } from './testing/index.ts'

const net = useDevnet()
const root = HDKey.fromMasterSeed(mnemonicToSeedSync(ANVIL_MNEMONIC))
const devKey = (i: number) => toHex(root.derive(`m/44'/60'/0'/0/${i}`).privateKey!)
const hermit = (args: string[], env: Record<string, string> = {}) =>
  runHermit(args, { env: { HERMIT_PRIVATE_KEY: '', ...env } })

describe('hermit jobs / hermit agents', () => {
  it('finds a provider, lists and shows a job, and refunds it after expiry (anyone may), bond included', async () => {
    const d = net()
    const deployments = join(mkdtempSync(join(tmpdir(), 'hermit-jobs-cli-')), 'deployments.json')
    writeDeployments(deployments, d.deployments)
    const [client, provider] = await Promise.all([devnetParty(d, 1), devnetParty(d, 2)])
    const { agentId } = await registerListedProvider(d, provider)
    const args = ['--rpc', d.rpcUrl, '-f', deployments, '--json']
    const found = await hermit(['agents', 'find', '--skill', 'summarize', ...args])
    expect(found.code, found.stderr).toBe(0)
    expect(JSON.parse(found.stdout).candidates).toMatchObject([{ agentId: agentId.toString(), price: '3000000' }])
    const cheap = JSON.parse(
      (await hermit(['agents', 'find', '--skill', 'summarize', '--max-price', '1 base', ...args])).stdout,
    ) as { candidates: unknown[]; skipped: Array<{ agentId: string; reason: string }> }
    expect(cheap.candidates).toEqual([])
    // who was left out, and why, with the unit (not "asks 3000000, above 1")
    expect(cheap.skipped).toEqual([
      { agentId: agentId.toString(), reason: 'asks 3 dUSD, above --max-price 0.000001 dUSD' },
    ])
    // one unit rule: shown with the symbol, taken in whole units with it; a bare number is refused
    const find = (more: string[], json = true) =>
      hermit(['agents', 'find', '--skill', 'summarize', ...more, ...(json ? args : args.slice(0, -1))])
    const [table, bare] = await Promise.all([find([], false), find(['--max-price', '3'])])
    expect(table.stdout).toMatch(/#\d+\s+3 dUSD\s/)
    expect(bare.code).toBe(64)
    expect(JSON.parse(bare.stdout).error).toMatchObject({
      code: 'CLI_BAD_ARGUMENT',
      hint: expect.stringContaining('"5 dUSD"'),
    })

    // a job the provider took and then abandoned
    const budget = parseUnits('3', 6)
    const { jobId } = await createJob(client.escrow, {
      provider: provider.account.address,
      evaluator: d.accounts[3]!.address,
      expiredAt: (await chainTime(client.escrow)) + 3600n,
      description: encodeJobRequest({ v: 1, skill: 'summarize', input: 'text' }),
    })
    await approvePaymentToken(provider.escrow, provider.escrow.hook, budget)
    await setBudget(provider.escrow, jobId, budget)
    await acceptJob(provider.escrow, jobId, budget, 0n, agentId)
    await fundJob(client.escrow, jobId, budget)

    const list = await hermit(['jobs', 'list', '--address', client.account.address, ...args])
    expect(JSON.parse(list.stdout).jobs).toMatchObject([
      { jobId: jobId.toString(), status: 'Funded', budget: budget.toString() },
    ])
    const human = await hermit(['jobs', 'show', jobId.toString(), '--rpc', d.rpcUrl, '-f', deployments])
    expect(human.stdout).toMatch(/job #1: Funded/)
    expect(human.stdout).toMatch(/accepted by the provider: yes/)
    expect(human.stdout).toMatch(/budget 3 dUSD, .*\n.*\n.*bond 0.6 dUSD \(locked\)/)

    const early = await hermit(['jobs', 'refund', jobId.toString(), ...args], { HERMIT_PRIVATE_KEY: devKey(4) })
    expect(early.code).toBe(ExitCode.unavailable)
    expect(JSON.parse(early.stdout).error.code).toBe('AGENTS_JOB_NOT_EXPIRED')
    expect((await hermit(['jobs', 'refund', jobId.toString(), ...args])).code).toBe(ExitCode.usage) // no key in the environment

    await advanceChainPast(d, (await chainTime(client.escrow)) + 3600n)
    const c0 = await tokenBalance(client.escrow, client.account.address)
    const refund = await hermit(['jobs', 'refund', jobId.toString(), ...args], { HERMIT_PRIVATE_KEY: devKey(4) }) // a stranger does it
    expect(refund.code, refund.stdout + refund.stderr).toBe(0)
    expect(JSON.parse(refund.stdout)).toMatchObject({
      status: 'Expired',
      done: [expect.stringMatching(/refunded 3 dUSD /), expect.stringMatching(/bond 0.6 dUSD to the client/)],
    })
    expect((await tokenBalance(client.escrow, client.account.address)) - c0).toBe(parseUnits('3.6', 6))
    expect((await hermit(['jobs', 'refund', jobId.toString(), ...args], { HERMIT_PRIVATE_KEY: devKey(4) })).code).toBe(
      ExitCode.dataError,
    )
    expect((await hermit(['jobs', 'show', 'nope', ...args])).code).toBe(ExitCode.usage)
    expect((await hermit(['jobs', 'show', '99', ...args])).code).toBe(ExitCode.dataError)
  }, 300_000)
})
