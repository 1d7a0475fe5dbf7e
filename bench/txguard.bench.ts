import { encodeFunctionData, parseEther } from 'viem'
import { startDevnet } from '@hermit/devnet'
import { verify } from '@hermit/txguard'
import { deployTestbed } from '@hermit/txguard/testing'
import { baselineOf, iterations, summarize, timeMs, type BenchFile } from './lib.ts'

const N = iterations(50, 5)

export const bench: BenchFile = {
  title: 'txguard verify() without a model, on a local devnet',
  // verify() and its rules, and the test bed's contracts the scenarios call
  measures: ['packages/txguard', 'contracts/src/testbed'],
  async run() {
    const d = await startDevnet()
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
        'swap on a router': {
          request: bed.scenarios['benign-swap']!.request,
          intent: bed.scenarios['benign-swap']!.intent,
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
            name.startsWith('plain') ? { note: 'target: < 50 ms median' } : {},
          ),
        )
      }
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
