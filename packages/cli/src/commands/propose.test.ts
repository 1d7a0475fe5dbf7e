import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { ExitCode } from '../exit.ts'
import { runHermit } from '../testing/index.ts'
import { createSafe } from '@hermit/proposer/testing'

const net = useDevnet({ world: 'defi' })
const dir = mkdtempSync(join(tmpdir(), 'hermit-propose-'))

function files() {
  const deployments = join(dir, 'deployments.json')
  writeFileSync(deployments, serializeDeployments(net().deployments))
  const book = join(dir, 'book.json')
  writeFileSync(book, JSON.stringify({ bob: net().accounts[2]!.address }))
  const tokens = join(dir, 'tokens.json')
  writeFileSync(tokens, JSON.stringify(defiWorld(net().deployments).tokens))
  return ['--rpc', net().rpcUrl, '--deployments', deployments, '--address-book', book, '--tokens', tokens]
}

const user = () => net().accounts[1]!
const hermit = (args: string[]) =>
  runHermit(['propose', ...args, '--journal', join(dir, `journal-${Math.random()}.json`)], {
    env: { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: toHex(user().getHdKey().privateKey!) },
  })

describe('hermit propose', () => {
  it('exits 0 and sends: words → checked plan → signed with $HERMIT_PRIVATE_KEY → receipt, effects as simulated', async () => {
    const bob = net().accounts[2]!.address
    const before = await net().publicClient.getBalance({ address: bob })
    const run = await hermit(['send 0.5 ETH to bob', ...files(), '--json'])
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    const out = JSON.parse(run.stdout) as {
      sent: boolean
      result: { differences: unknown[] }
      proposal: { verdict: string }
    }
    expect(out).toMatchObject({ sent: true, proposal: { verdict: 'allow' }, result: { differences: [] } })
    expect((await net().publicClient.getBalance({ address: bob })) - before).toBe(parseEther('0.5'))
  })

  it('--dry-run shows the plan and sends nothing', async () => {
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    const run = await hermit(['swap 1 ETH for USDC', ...files(), '--dry-run'])
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    expect(run.stdout).toMatch(/Swap 1 ETH for at least [\d.]+ USDC on Uniswap V[23]/)
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
  })

  it('exits 2 when blocked and 1 when a warning is not confirmed; nothing is sent either way', async () => {
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    const policy = join(dir, 'policy.json')
    writeFileSync(policy, JSON.stringify({ outflowLimits: { native: parseEther('0.1').toString() } }))
    const blocked = await hermit(['send 0.5 ETH to bob', ...files(), '--policy', policy, '--yes'])
    expect(blocked.code, blocked.stderr).toBe(ExitCode.block)
    expect(blocked.stdout).toMatch(/Verdict: BLOCK/)
    const spender = defiWorld(net().deployments).uniswapV3.positionManager
    const warned = await hermit([`approve 10 USDC to ${spender}`, ...files()])
    expect(warned.code, warned.stderr).toBe(ExitCode.warn)
    expect(warned.stdout).toMatch(/Warning, not confirmed: step 1:/)
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
  })

  it('exits 65 for words it cannot build (an unknown token) and 64 for a bad flag', async () => {
    const unknown = await hermit(['send 5 FOO to bob', ...files()])
    expect(unknown.code).toBe(ExitCode.dataError)
    expect(unknown.stderr).toMatch(/FOO/)
    const bad = await hermit(['send 1 ETH to bob', ...files(), '--venue', 'v4'])
    expect(bad.code).toBe(ExitCode.usage)
  })

  it('a Safe: "from my safe" (the deployments’ Safe, 1 of 1) is executed; a 2-of-2 prints its safeTxHash and signature, exit 0, unsent', async () => {
    const owner = net().accounts[0]!
    const env = { HERMIT_MODEL: 'none', HERMIT_PRIVATE_KEY: toHex(owner.getHdKey().privateKey!) }
    const journal = () => ['--journal', join(dir, `journal-${Math.random()}.json`)]
    const safe = defiWorld(net().deployments).safe.account.address
    const before = await net().publicClient.getBalance({ address: safe })
    const one = await runHermit(['propose', 'from my safe send 0.1 ETH to bob', ...files(), ...journal(), '--json'], {
      env,
    })
    expect(one.code, one.stderr).toBe(ExitCode.ok)
    expect(JSON.parse(one.stdout)).toMatchObject({ sent: true, result: { differences: [] } })
    expect(before - (await net().publicClient.getBalance({ address: safe }))).toBe(parseEther('0.1'))
    const twoOfTwo = await createSafe(net(), [owner.address, net().accounts[3]!.address], 2, parseEther('1'))
    const nonce = await net().publicClient.getTransactionCount({ address: owner.address })
    const two = await runHermit(['propose', `safe ${twoOfTwo}: send 0.1 ETH to bob`, ...files(), ...journal()], { env })
    expect(two.code, two.stderr).toBe(ExitCode.ok)
    expect(two.stdout).toMatch(/safeTxHash 0x[0-9a-f]{64}/)
    expect(two.stdout).toMatch(/1 more owner signature needed; nothing sent/)
    expect(await net().publicClient.getTransactionCount({ address: owner.address })).toBe(nonce)
  }, 120_000)
})
