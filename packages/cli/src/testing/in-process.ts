/**
 * For the CLI tests: `hermit` in this process, through `run()` (what bin.ts calls). The statuses
 * and the output are the binary's, without the 3–6 s of CPU a binary start costs.
 */
import { vi } from 'vitest'
import { run } from '../program.ts'
import type { HermitRun } from './index.ts'

/** What a command reads from the environment: only what a case gives, never the machine's own. */
const FROM_ENV = [
  'HERMIT_PRIVATE_KEY',
  'HERMIT_KEYSTORE_PASSWORD',
  'HERMIT_MODEL',
  'HERMIT_MCP_TOKEN',
  'HERMIT_STORE_PASSWORD',
] as const

export type InProcessOptions = {
  env?: Record<string, string>
  /**
   * A server (devnet, guard, ui, gateway, pay proxy, mcp --http): once it has printed a line on
   * stdout (or ended), send it the SIGINT it listens for, as Ctrl-C would, and wait until it stops.
   */
  stopAfterFirstLine?: boolean
}

/** `hermit <args>` in this process: its exit status and all it wrote on stdout and stderr. */
export async function hermitInProcess(args: string[], o: InProcessOptions = {}): Promise<HermitRun> {
  let stdout = ''
  let stderr = ''
  let printed = () => {}
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    stdout += String(c)
    if (stdout.includes('\n')) printed()
    return true
  })
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((stderr += String(c)), true))
  const saved = new Map([...FROM_ENV, ...Object.keys(o.env ?? {})].map((k) => [k, process.env[k]]))
  const before = {
    SIGINT: new Set(process.rawListeners('SIGINT')),
    SIGTERM: new Set(process.rawListeners('SIGTERM')),
  }
  const added = (signal: 'SIGINT' | 'SIGTERM') =>
    process.rawListeners(signal).filter((l) => !before[signal].has(l)) as Array<(s: NodeJS.Signals) => void>
  try {
    for (const k of FROM_ENV) delete process.env[k]
    Object.assign(process.env, o.env)
    const done = run(args)
    if (o.stopAfterFirstLine) {
      const line = new Promise<void>((r) => {
        printed = r
        if (stdout.includes('\n')) r()
      })
      await Promise.race([line, done])
      // the listeners the command added (once-wrappers: each removes itself when called)
      for (const l of added('SIGINT')) l.call(process, 'SIGINT')
    }
    return { code: await done, stdout, stderr }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      for (const l of added(signal)) process.removeListener(signal, l)
    for (const [k, v] of saved)
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    out.mockRestore()
    err.mockRestore()
  }
}
