import { startAnvil, startDevnet } from '@hermit/devnet'
import { summarize, timeMs, type BenchFile } from './lib.ts'

const N = 10

export const bench: BenchFile = {
  title: 'Devnet',
  async run() {
    const anvil = await timeMs(N, async () => {
      const a = await startAnvil()
      await a.stop()
    })
    const devnet = await timeMs(N, async () => {
      const d = await startDevnet()
      await d.stop()
    })
    const anvilReady = summarize('anvil start → RPC ready (+stop)', 'ms', anvil)
    const results = [
      anvilReady,
      summarize('devnet start: anvil + clients + deploy all (+stop)', 'ms', devnet, {
        baseline: { name: anvilReady.name, median: anvilReady.median, p95: anvilReady.p95 },
      }),
    ]
    // deployment gas is deterministic: one devnet, one sample per contract
    const d = await startDevnet()
    try {
      for (const [name, c] of Object.entries(d.deployments.contracts)) {
        const gas = Number(c.gasUsed)
        results.push({ name: `deploy gas: ${name}`, unit: 'gas', median: gas, p95: gas, n: 1 })
      }
    } finally {
      await d.stop()
    }
    return results
  },
}
