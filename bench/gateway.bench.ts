/**
 * Added latency of anonymous paid calls: a streamed chat through `hermit pay proxy` and
 * `hermit gateway` against the same chat sent straight to the same upstream (the scripted model
 * server, a test double that answers at once, so what is left is Hermit's own cost), interleaved in
 * one run. The proxy's proofs are all made before the first timed call (as `hermit pay proxy` keeps
 * them ready), and there is no preverify: each call carries its proof, and the gateway verifies it,
 * claims its nullifier and forwards on the call's path.
 */
import { terminateProver } from '@hermit/circuits'
import { startDevnet } from '@hermit/devnet'
import { devnetGatewayStack } from '@hermit/gateway/testing'
import { devnetDepositor, zkPayClientFor } from '@hermit/zkpay/testing'
import { baselineOf, iterations, summarize, type BenchFile, type BenchResult } from './lib.ts'

const CALLS = iterations(20, 4)
const WARMUP = 2
const ANSWER = Array.from({ length: 32 }, (_, i) => `w${i}`).join(' ')

/** Time to the first answer token and to the end of the stream, in milliseconds. */
async function streamedChat(
  base: string,
  send: (url: string, init: RequestInit & { body: string }) => Promise<Response> = fetch,
): Promise<{ first: number; total: number }> {
  const t0 = performance.now()
  const res = await send(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'scripted-model',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 64,
      stream: true,
    }),
  })
  if (res.status !== 200 || !res.body) throw new Error(`chat through ${base}: HTTP ${res.status} ${await res.text()}`)
  const decoder = new TextDecoder()
  let text = ''
  let first: number | undefined
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true })
    if (first === undefined && text.includes('"w0')) first = performance.now() - t0
  }
  const total = performance.now() - t0
  if (first === undefined || !text.includes('[DONE]')) throw new Error(`chat through ${base}: no answer token`)
  return { first, total }
}

export const bench: BenchFile = {
  title:
    'Gateway: latency added by hermit pay proxy + hermit gateway to a streamed chat (precomputed proofs, no preverify)',
  measures: ['packages/gateway/src', 'packages/zkpay/src/server.ts', 'packages/zkpay/src/client.ts'],
  async run(): Promise<BenchResult[]> {
    const d = await startDevnet()
    try {
      const stack = await devnetGatewayStack(d, {
        tickets: BigInt(CALLS + WARMUP),
        tokensPerTicket: 256,
        // every ticket proved before the first call: no proving on, or beside, a timed call
        precompute: CALLS + WARMUP,
        lowTickets: 0,
        script: () => ({ content: ANSWER }),
      })
      try {
        // a second user paying the gateway straight from its client (no proxy): what the proxy itself adds
        const other = await devnetDepositor(d, stack.pool, 2, BigInt(CALLS + WARMUP))
        const client = zkPayClientFor(d, other, { fromBlock: stack.fromBlock })
        await client.precompute(`${stack.gatewayUrl}/v1/chat/completions`, CALLS + WARMUP)
        const viaClient = (url: string, init: RequestInit & { body: string }) => client.fetch(url, init)
        const direct = { first: [] as number[], total: [] as number[] }
        const paid = { first: [] as number[], total: [] as number[] }
        const gatewayOnly: number[] = []
        for (let i = 0; i < WARMUP; i++) {
          await streamedChat(stack.model.url)
          await streamedChat(stack.proxyUrl)
          await streamedChat(stack.gatewayUrl, viaClient)
        }
        for (let i = 0; i < CALLS; i++) {
          const a = await streamedChat(stack.model.url)
          const b = await streamedChat(stack.proxyUrl)
          const c = await streamedChat(stack.gatewayUrl, viaClient)
          direct.first.push(a.first)
          direct.total.push(a.total)
          paid.first.push(b.first)
          paid.total.push(b.total)
          gatewayOnly.push(c.first - a.first)
        }
        // where the added time goes: the gateway's own histograms (means: they keep sums, not samples)
        const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text()
        const mean = (name: string) => {
          const sum = Number(metrics.match(new RegExp(`^${name}_sum(?:\\{[^}]*\\})? ([\\d.e-]+)$`, 'm'))?.[1])
          const count = Number(metrics.match(new RegExp(`^${name}_count(?:\\{[^}]*\\})? (\\d+)$`, 'm'))?.[1])
          return ((sum / count) * 1000).toFixed(1)
        }
        const verifyMs = mean('hermit_gateway_payment_verification_seconds')
        const paidCalls = stack.events.filter((e) => e.kind === 'paid').length
        if (paidCalls !== 2 * (CALLS + WARMUP))
          throw new Error(`expected ${2 * (CALLS + WARMUP)} paid calls, saw ${paidCalls}`)
        const directFirst = summarize(
          'streamed chat, straight to the upstream: time to first token',
          'ms',
          direct.first,
        )
        const directTotal = summarize('streamed chat, straight to the upstream: total time', 'ms', direct.total)
        const added = (xs: number[], ys: number[]) => xs.map((x, i) => x - ys[i]!)
        return [
          directFirst,
          summarize('streamed chat through proxy + gateway (1 ticket): time to first token', 'ms', paid.first, {
            baseline: baselineOf(directFirst),
          }),
          summarize(
            'added to time to first token by proxy + gateway (paired calls; goal < 15 ms)',
            'ms',
            added(paid.first, direct.first),
            {
              note:
                'each sample is one proxied call minus the direct call made just before it; it includes the Groth16 ' +
                `verification on the gateway (inline, on the call's path: mean ${verifyMs} ms over every paid call of the run, ` +
                'from its /metrics) and the SQLite claim',
            },
          ),
          summarize(
            'added to time to first token by the gateway alone (a zk-rln client paying it straight, precomputed proof)',
            'ms',
            gatewayOnly,
            { note: 'the same pairing as the row above, without the proxy: the difference of the two is the proxy' },
          ),
          directTotal,
          summarize('streamed chat through proxy + gateway (1 ticket): total time', 'ms', paid.total, {
            baseline: baselineOf(directTotal),
          }),
          summarize('added to total time by proxy + gateway (paired calls)', 'ms', added(paid.total, direct.total)),
        ]
      } finally {
        await stack.close()
      }
    } finally {
      await terminateProver()
      await d.stop()
    }
  },
}
