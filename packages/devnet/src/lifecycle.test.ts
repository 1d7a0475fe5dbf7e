import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { liveAnvilPids, startAnvil } from './anvil.ts'
import { withDevnet } from './devnet.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const holder = fileURLToPath(new URL('./testing/hold-devnet.ts', import.meta.url))

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Polls (no fixed sleep) until the process is gone; fails after `ms`. */
async function waitGone(pid: number, ms = 5_000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 20))
  }
  return !alive(pid)
}

/** Runs the holder script in a child node; resolves with the anvil pid it reports. */
function runHolder(
  mode: string,
): Promise<{ anvilPid: number; child: ReturnType<typeof spawn>; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', holder, mode], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)))
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stderr!.on('data', (c) => (err += c))
    child.stdout!.on('data', (c) => {
      out += c
      const m = /anvil-pid (\d+)/.exec(out)
      if (m) resolve({ anvilPid: Number(m[1]), child, exited })
    })
    void exited.then((code) => reject(new Error(`holder exited (${code}) before reporting: ${err}`)))
  })
}

describe('no anvil is left behind', () => {
  it('after stop()', async () => {
    const anvil = await startAnvil()
    expect(alive(anvil.pid)).toBe(true)
    expect(liveAnvilPids()).toContain(anvil.pid)
    await anvil.stop()
    expect(alive(anvil.pid)).toBe(false)
    expect(liveAnvilPids()).not.toContain(anvil.pid)
  })

  it('after an error thrown inside withDevnet', async () => {
    let pid = 0
    await expect(
      withDevnet({ deploy: false }, async (d) => {
        pid = d.pid
        throw new Error('the test failed')
      }),
    ).rejects.toThrow('the test failed')
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
  })

  for (const mode of ['throw', 'reject'] as const) {
    it.concurrent(`when the process dies of an uncaught ${mode === 'throw' ? 'exception' : 'rejection'}`, async () => {
      const { anvilPid, exited } = await runHolder(mode)
      expect(await exited).not.toBe(0)
      expect(await waitGone(anvilPid)).toBe(true)
    })
  }

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it.concurrent(`when the process gets ${signal}`, async () => {
      const { anvilPid, child, exited } = await runHolder('wait')
      expect(alive(anvilPid)).toBe(true)
      child.kill(signal)
      await exited
      expect(await waitGone(anvilPid)).toBe(true)
    })
  }
})
