/**
 * One devnet per test file, reverted to its freshly deployed state before every test:
 *
 *   const net = useDevnet()
 *   it('…', async () => { const { publicClient } = net() })
 */
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { startDevnet, type Devnet, type DevnetOptions } from '../devnet.ts'

export function useDevnet(options: DevnetOptions = {}): () => Devnet {
  let devnet: Devnet | undefined
  let snapshot: `0x${string}` | undefined
  beforeAll(async () => {
    devnet = await startDevnet(options)
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
