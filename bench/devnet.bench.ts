import { hermitDeployPlan, startAnvil, startDevnet } from '@hermit/devnet'
import { baselineOf, iterations, summarize, timeMs, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(10, 2)

export const bench: BenchFile = {
  title: 'Devnet',
  // the deploy plan and every contract it deploys (their bytecode comes through @hermit/contracts)
  measures: ['packages/devnet', 'packages/chain', 'packages/contracts', 'contracts/src'],
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
    const results: BenchResult[] = [
      anvilReady,
      summarize(
        `devnet start: anvil + clients + deploy all ${hermitDeployPlan.length} contracts (+stop)`,
        'ms',
        devnet,
        { baseline: baselineOf(anvilReady) },
      ),
    ]
    // deployment gas is deterministic: one devnet, one sample per step of the deploy plan, in its order
    const d = await startDevnet()
    try {
      const deployed = d.deployments.contracts
      const planned = hermitDeployPlan.map((s) => s.name)
      const extra = Object.keys(deployed).filter((name) => !planned.includes(name))
      if (extra.length > 0) throw new Error(`deployed but not in the deploy plan: ${extra.join(', ')}`)
      for (const name of planned) {
        const c = deployed[name]
        if (!c) throw new Error(`${name} is in the deploy plan but was not deployed`)
        const gas = Number(c.gasUsed)
        results.push({ name: `deploy gas: ${name}`, unit: 'gas', median: gas, p95: gas, n: 1 })
      }
    } finally {
      await d.stop()
    }
    return results
  },
}
