import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseEther, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { ExitCode } from '../exit.ts'
import { runHermit } from '../testing/index.ts'

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
})
