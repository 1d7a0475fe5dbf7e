// `pnpm demo` is the README's first command: run it whole, as a user would (all flows, one devnet,
// snapshot/revert between flows).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

describe('pnpm demo', () => {
  it('runs every example flow on one embedded devnet and exits 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HERMIT_MODEL: 'none', OLLAMA_HOST: '' },
    })
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => (out += c))
    const code = await new Promise<number | null>((r) => child.on('exit', r))
    // on failure: where the devnet was, the flow that was running, and how it ended
    const where = [out.match(/Devnet up.*/)?.[0], out.match(/━━ .* ━━/g)?.at(-1)].filter(Boolean).join('\n')
    expect(code, `${where}\n…\n${out.slice(-4000)}`).toBe(0)
    expect(out).toMatch(/Demo finished: 5 example flow\(s\) ran on the devnet/)
    expect(out).toMatch(/no model consulted/)
    expect(out).toMatch(/status Slashed/)
    expect(out).toMatch(/job #3 Expired; provider bond 1 dUSD → client/)
  }, 240_000)
})
