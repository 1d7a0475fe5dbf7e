import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createPublicClient, http } from 'viem'
import { defiWorld, parseDeployments, readDeployments, safeAbi } from '@hermit/devnet'
import { ExitCode } from '../exit.ts'
import { runHermit, startHermit } from '../testing/index.ts'
import { describeDeployments } from './devnet.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-devnet-cli-'))

describe('hermit devnet --world defi', () => {
  it('runs the DeFi world, prints and writes its addresses (JSON and text), `deployments --check` passes, and stops on SIGINT', async () => {
    const out = join(dir, 'defi.json')
    const devnet = startHermit(['devnet', '--port', '0', '--out', out, '--world', 'defi', '--json'])
    let printed: ReturnType<typeof parseDeployments>
    try {
      const line = (await devnet.waitForStdout(/\n/, 60_000)).split('\n')[0]!
      const started = JSON.parse(line) as Record<string, unknown>
      expect(started.deploymentsFile).toBe(out)
      const { deploymentsFile: _f, pid: _p, ...rest } = started
      printed = parseDeployments(rest, 'stdout')
      // what it printed is what it wrote, and both carry the world
      expect(readDeployments(out)).toEqual(printed)
      const world = defiWorld(printed)
      const client = createPublicClient({ transport: http(printed.rpcUrl) })
      const owners = await client.readContract({
        address: world.safe.account.address,
        abi: safeAbi,
        functionName: 'getOwners',
      })
      expect(owners).toEqual([printed.accounts[0]])

      const text = describeDeployments(printed)
      for (const address of [world.uniswapV2.router02, world.uniswapV3.swapRouter, world.safe.account.address]) {
        expect(text).toContain(address)
      }
      expect(text).toMatch(/WETH\s+0x[0-9a-fA-F]{40}\s+18\s+\$3,000/)
      expect(text).toMatch(/USDC\/WETH\s+0\.3%\s+0x[0-9a-fA-F]{40}\s+#1\s+-887220\.\.887220/)
      expect(text).toContain('1-of-1')
      // `hermit deployments --check` finds code at every address of the world, and shows the world too
      const check = await runHermit(['deployments', '--file', out, '--check'])
      expect(check.code, check.stderr).toBe(ExitCode.ok)
      expect(check.stdout).toContain('check: chain id and code at every address match')
      expect(check.stdout).toContain(`Safe ${world.safe.account.address} (1-of-1`)
    } finally {
      const stopped = await devnet.stop()
      expect(stopped.code).toBe(0)
    }
    expect(existsSync(out)).toBe(false)
  }, 90_000)

  it('an unknown world is a usage error that names the flag', async () => {
    const r = await runHermit(['devnet', '--world', 'moon', '--port', '0'])
    expect(r.code).toBe(ExitCode.usage)
    expect(r.stderr).toContain('--world')
  })
})

describe('hermit devnet when anvil dies under it', () => {
  it('exits with DEVNET_ANVIL_EXITED naming the signal, and removes its deployments file', async () => {
    const out = join(dir, 'killed.json')
    const devnet = startHermit(['devnet', '--port', '0', '--out', out, '--json'])
    try {
      const line = (await devnet.waitForStdout(/\n/, 60_000)).split('\n')[0]!
      const { pid } = JSON.parse(line) as { pid: number }
      expect(existsSync(out)).toBe(true)
      process.kill(pid, 'SIGKILL')
      const r = await devnet.stop('SIGCONT') // a no-op signal: it must end on its own
      expect(r.code, r.stderr).toBe(ExitCode.unavailable)
      const { error } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
        error: { code: string; message: string; details: { signal: string | null } }
      }
      expect(error.code).toBe('DEVNET_ANVIL_EXITED')
      expect(error.message).toMatch(/exited on its own \(SIGKILL\)/)
      expect(error.details.signal).toBe('SIGKILL')
    } finally {
      await devnet.stop()
    }
    expect(existsSync(out)).toBe(false)
  }, 90_000)
})
