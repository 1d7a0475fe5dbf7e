import { encodeFunctionData, parseEther } from 'viem'
import { startDevnet } from '@hermit/devnet'
import { ContractFacts, verify } from '@hermit/txguard'
import { deployTestbed } from '@hermit/txguard/testing'
import { baselineOf, iterations, summarize, timeMs, type BenchFile } from './lib.ts'

const N = iterations(50, 5)

export const bench: BenchFile = {
  title: "txguard verify() without a model, on a local devnet (the user's Transfer-log history read and cached)",
  // verify() and its rules, and the contracts the scenarios call: the test bed's and the DeFi world's real Uniswap
  measures: ['packages/txguard', 'contracts/src/testbed', 'packages/devnet/src/defi'],
  async run() {
    const d = await startDevnet({ world: 'defi' })
    try {
      const bed = await deployTestbed(d)
      const chainId = d.chainId
      const transfer = {
        chainId,
        from: bed.user.address,
        to: bed.alice,
        value: parseEther('0.2').toString(),
        data: '0x' as const,
      }
      const cases = {
        'plain ETH transfer (intent: send 0.2 ETH to alice)': { request: transfer, intent: 'send 0.2 ETH to alice' },
        'ERC-20 transfer': {
          request: {
            chainId,
            from: bed.user.address,
            to: bed.tokens.dUSD,
            data: encodeFunctionData({
              abi: [
                {
                  type: 'function',
                  name: 'transfer',
                  inputs: [{ type: 'address' }, { type: 'uint256' }],
                  outputs: [{ type: 'bool' }],
                  stateMutability: 'nonpayable',
                },
              ],
              args: [bed.alice, 1_000_000n],
            }),
          },
          intent: 'send 1 dUSD to alice',
        },
        'swap on Uniswap V2 (Router02)': {
          request: bed.scenarios['benign-swap']!.request,
          intent: bed.scenarios['benign-swap']!.intent,
        },
        'swap on Uniswap V3 (SwapRouter exactInputSingle)': {
          request: bed.scenarios['benign-swap-v3']!.request,
          intent: bed.scenarios['benign-swap-v3']!.intent,
        },
        'multicall drainer': {
          request: bed.scenarios['multicall-drainer']!.request,
          intent: bed.scenarios['multicall-drainer']!.intent,
        },
        'Permit2 signature (typed data)': {
          request: bed.scenarios['permit2-drain']!.request,
          intent: bed.scenarios['permit2-drain']!.intent,
        },
      }
      const results = []
      // history cold: every check starts with empty caches, so the user's Transfer logs are read each time
      const cold = await timeMs(
        N,
        async () => {
          await verify(transfer, {
            client: d.publicClient,
            policy: bed.policy,
            intent: 'send 0.2 ETH to alice',
            facts: new ContractFacts(),
          })
        },
        3,
      )
      for (const [name, c] of Object.entries(cases)) {
        const samples = await timeMs(
          N,
          async () => {
            await verify(c.request, {
              client: d.publicClient,
              policy: bed.policy,
              ...(c.intent ? { intent: c.intent } : {}),
            })
          },
          3,
        )
        results.push(
          summarize(
            `verify: ${name}`,
            'ms',
            samples,
            name.startsWith('plain') ? { note: 'with history reading (cached per chain); target: < 50 ms median' } : {},
          ),
        )
      }
      results.push(
        summarize('verify: plain ETH transfer, history read cold (fresh caches each time)', 'ms', cold, {
          note: 'every check reads the Transfer logs and contract ages again',
        }),
      )
      // the raw cost of the one trace call, as the floor any verify() pays
      const trace = await timeMs(
        N,
        async () => {
          // not in viem's public schema: the override names its parameters
          await d.publicClient.request<{ Parameters: [object, 'latest', object]; ReturnType: unknown }>({
            method: 'debug_traceCall',
            params: [
              { from: bed.user.address, to: bed.alice, value: '0x1' },
              'latest',
              { tracer: 'callTracer', tracerConfig: { withLog: true } },
            ],
          })
        },
        3,
      )
      const floor = summarize('debug_traceCall alone (plain transfer)', 'ms', trace)
      results[0]!.baseline = baselineOf(floor)
      results.push(floor)
      return results
    } finally {
      await d.stop()
    }
  },
}
