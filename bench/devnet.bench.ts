import { DEFI_CONTRACTS, hermitDeployPlan, startAnvil, startDevnet } from '@hermit/devnet'
import { baselineOf, iterations, summarize, timeMs, type BenchFile, type BenchResult } from './lib.ts'

const N = iterations(10, 2)
const N_DEFI = iterations(5, 1)

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
    // the opt-in DeFi world: Hermit's contracts plus Uniswap V2/V3 and Safe deployed and seeded
    const defi = await timeMs(N_DEFI, async () => {
      const d = await startDevnet({ world: 'defi' })
      await d.stop()
    })
    const anvilReady = summarize('anvil start → RPC ready (+stop)', 'ms', anvil)
    const hermitWorld = summarize(
      `devnet start: anvil + clients + deploy all ${hermitDeployPlan.length} contracts (+stop)`,
      'ms',
      devnet,
      { baseline: baselineOf(anvilReady) },
    )
    const results: BenchResult[] = [
      anvilReady,
      hermitWorld,
      summarize(
        `devnet start, world 'defi': + ${DEFI_CONTRACTS.length} Uniswap/Safe/token contracts, pairs, pools, a Safe (+stop)`,
        'ms',
        defi,
        { baseline: baselineOf(hermitWorld) },
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
