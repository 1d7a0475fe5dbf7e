/**
 * One devnet per test file, reverted to its freshly deployed state before every test:
 *
 *   const net = useDevnet()
 *   it('…', async () => { const { publicClient } = net() })
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startDevnet, type Devnet, type DevnetOptions } from '../devnet.ts'
import { anvilExitedError } from '../transport.ts'

export function useDevnet(options: DevnetOptions = {}): () => Devnet {
  let devnet: Devnet | undefined
  let snapshot: `0x${string}` | undefined
  beforeAll(async () => {
    const started = await startDevnet(options)
    devnet = started
    // anvil dying under a test file is said in its output at once, with how it ended (its calls
    // then fail with DEVNET_ANVIL_EXITED; a receipt wait would otherwise poll it until a timeout)
    void started.exited.then(() => {
      const exit = started.exit
      if (exit && !exit.stopped)
        console.error(`useDevnet: ${anvilExitedError(exit).shortMessage} Its stderr: ${exit.stderr || '(none)'}`)
    })
  }, 60_000)
  beforeEach(async () => {
    snapshot = await devnet!.snapshot()
  })
  afterEach(async () => {
    if (snapshot) await devnet!.revert(snapshot)
  })
  afterAll(async () => {
    await devnet?.stop()
  })
  return () => {
    if (!devnet) throw new Error('useDevnet(): the devnet is only available inside tests and hooks')
    return devnet
  }
}
