// README: "no signal handlers are installed", so the host application keeps its own SIGINT/SIGTERM/SIGHUP handling.
// Its own file: vitest runs each file in a fresh process, and devnet installs its process hooks once per process,
// so this must be the first start in the process to see them.
import { describe, expect, it } from 'vitest'
import { startDevnet } from './devnet.ts'

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
const counts = () => Object.fromEntries(signals.map((s) => [s, process.listenerCount(s)]))

describe('no signal handlers are installed', () => {
  it('SIGINT, SIGTERM and SIGHUP listener counts are the same before startDevnet(), while it runs and after stop()', async () => {
    const before = counts()
    const devnet = await startDevnet()
    expect(counts()).toEqual(before)
    await devnet.stop()
    expect(counts()).toEqual(before)
  })
})
