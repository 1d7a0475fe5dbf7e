/**
 * Added latency of anonymous paid calls: a streamed chat through `hermit pay proxy` and
 * `hermit gateway` against the same chat sent straight to the same upstream (the scripted model
 * server, a test double that answers at once, so what is left is Hermit's own cost), interleaved in
 * one run. The gateway and the proxy are the CLI's own commands, each in a process of its own as a
 * provider and a user run them (they share this machine's two cores with the bench). The proxy's
 * proofs are all made before the first timed call (as `hermit pay proxy --precompute` keeps them
 * ready), and there is no preverify: each call carries its proof, and the gateway verifies it,
 * claims its nullifier and forwards on the call's path. One more pair, another user's, runs with
 * `--preverify` on both sides, for comparison.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { terminateProver } from '@hermit/circuits'
import { startDevnet } from '@hermit/devnet'
import { startScriptedModelServer } from '@hermit/llm/testing'
import { saveKeystore } from '@hermit/zkpay'
import { devnetDepositor, devnetPool, zkPayClientFor } from '@hermit/zkpay/testing'
import { baselineOf, iterations, summarize, type BenchFile, type BenchResult } from './lib.ts'

const CALLS = iterations(20, 4)
const WARMUP = 2
const ANSWER = Array.from({ length: 32 }, (_, i) => `w${i}`).join(' ')
const repo = fileURLToPath(new URL('..', import.meta.url))
const PASSWORD = 'bench keystore password'

/** `hermit <args> --json` in a process of its own; resolves with it and its first stdout line (the URL it listens on). */
function startHermit(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', ...args, '--json'], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (c) => (stderr += c))
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hermit ${args[0]} exited ${code}: ${stderr}`)))
    createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve({ child, url: (JSON.parse(line) as { url: string }).url })
    })
  })
}

/** A plain forwarding hop (bench/forward.mjs) in a process of its own, in front of `upstream`. */
function startForward(upstream: string, close: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['bench/forward.mjs', upstream, ...(close ? ['close'] : [])], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench/forward.mjs exited ${code}`)))
    createInterface({ input: child.stdout! }).once('line', (line) => {
      resolve({ child, url: (JSON.parse(line) as { url: string }).url })
    })
  })
}

const stop = (child: ChildProcess) =>
  new Promise<void>((r) => {
    if (child.exitCode !== null) return r()
    child.once('exit', () => r())
    child.kill('SIGINT')
  })

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
    'Gateway: latency added by hermit pay proxy + hermit gateway to a streamed chat (precomputed proofs; without, then with, preverify)',
  measures: [
    'packages/gateway/src',
    'packages/cli/src/commands/gateway.ts',
    'packages/zkpay/src/server.ts',
    'packages/zkpay/src/client.ts',
    'packages/zkpay/src/check.ts',
    'packages/zkpay/src/one-time-key.ts',
    'packages/zkpay/src/transport.ts',
    'packages/zkpay/src/verifier.ts',
    'packages/zkpay/src/verify-worker.mjs',
    'bench/forward.mjs',
  ],
  async run(): Promise<BenchResult[]> {
    const d = await startDevnet()
    const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-gateway-'))
    const children: ChildProcess[] = []
    const model = await startScriptedModelServer({ script: () => ({ content: ANSWER }) })
    try {
      const { pool, fromBlock } = await devnetPool(d, { providerIndex: 5 })
      const user = await devnetDepositor(d, pool, 1, BigInt(CALLS + WARMUP), dir)
      // a second user paying the gateway straight from its client (no proxy): what the proxy itself adds
      const other = await devnetDepositor(d, pool, 2, BigInt(CALLS + WARMUP), dir)
      for (let i = 0; i < 2; i++) await devnetDepositor(d, pool, 3 + i, 1n, dir) // the anonymity set
      // the same with --preverify on both sides: the proofs are checked when they are made, not on the call
      const early = await devnetDepositor(d, pool, 6, BigInt(CALLS + WARMUP), dir)
      /** `hermit gateway` (as a provider runs it: two mcl verifier threads, the default; SQLite) and a `hermit pay proxy` paying it. */
      const startPair = async (holder: typeof user, name: string, extra: string[]) => {
        const keystore = join(dir, `${name}.json`)
        saveKeystore(keystore, holder.identity, PASSWORD, { N: 1024 })
        const gateway = await startHermit([
          ...['gateway', '--rpc', d.rpcUrl, '--pool', pool.address, '--upstream', model.url, '--port', '0'],
          ...['--store', `sqlite:${join(dir, `${name}-nullifiers.sqlite`)}`, ...extra],
        ])
        children.push(gateway.child)
        const proxy = await startHermit(
          [
            ...['pay', 'proxy', '--rpc', d.rpcUrl, '--gateway', gateway.url, '-k', keystore, '-t', holder.tickets.path],
            ...['--port', '0', '--precompute', String(CALLS + WARMUP), '--low-tickets', '0', ...extra],
          ],
          { HERMIT_KEYSTORE_PASSWORD: PASSWORD },
        )
        children.push(proxy.child)
        // every ticket proved before the first call: no proving on, or beside, a timed call
        for (;;) {
          const status = (await (await fetch(`${proxy.url}/hermit/status`)).json()) as { proofsReady: number }
          if (status.proofsReady >= CALLS + WARMUP) break
          await new Promise((r) => setTimeout(r, 200))
        }
        return { gateway, proxy }
      }
      // the floor of any two-process path: a gateway-like hop in front of the upstream, and a
      // proxy-like hop in front of it that opens a new connection for every call, as Hermit's client does
      const hop2 = await startForward(model.url, false)
      children.push(hop2.child)
      const hop1 = await startForward(hop2.url, true)
      children.push(hop1.child)
      const { gateway, proxy } = await startPair(user, 'user', [])
      const ahead = await startPair(early, 'early', ['--preverify'])
      const client = zkPayClientFor(d, other, { fromBlock })
      await client.precompute(`${gateway.url}/v1/chat/completions`, CALLS + WARMUP)
      const viaClient = (url: string, init: RequestInit & { body: string }) => client.fetch(url, init)
      const stack = { model, proxyUrl: proxy.url, gatewayUrl: gateway.url }
      {
        const direct = { first: [] as number[], total: [] as number[] }
        const paid = { first: [] as number[], total: [] as number[] }
        const gatewayOnly: number[] = []
        const preverified: number[] = []
        const plainHops: number[] = []
        for (let i = 0; i < WARMUP; i++) {
          await streamedChat(hop1.url)
          await streamedChat(stack.model.url)
          await streamedChat(stack.proxyUrl)
          await streamedChat(stack.gatewayUrl, viaClient)
          await streamedChat(ahead.proxy.url)
        }
        for (let i = 0; i < CALLS; i++) {
          const a = await streamedChat(stack.model.url)
          const b = await streamedChat(stack.proxyUrl)
          const c = await streamedChat(stack.gatewayUrl, viaClient)
          const e = await streamedChat(ahead.proxy.url)
          preverified.push(e.first - a.first)
          plainHops.push((await streamedChat(hop1.url)).first - a.first)
          direct.first.push(a.first)
          direct.total.push(a.total)
          paid.first.push(b.first)
          paid.total.push(b.total)
          gatewayOnly.push(c.first - a.first)
        }
        // where the added time goes: the gateway's own histograms (means: they keep sums, not samples)
        const metrics = await (await fetch(`${stack.gatewayUrl}/metrics`)).text()
        const mean = (name: string, label = '') => {
          const labels = label ? `\\{[^}]*${label}[^}]*\\}` : '(?:\\{[^}]*\\})?'
          const sum = Number(metrics.match(new RegExp(`^${name}_sum${labels} ([\\d.e-]+)$`, 'm'))?.[1])
          const count = Number(metrics.match(new RegExp(`^${name}_count${labels} (\\d+)$`, 'm'))?.[1])
          return ((sum / count) * 1000).toFixed(1)
        }
        const verifyMs = mean('hermit_gateway_payment_verification_seconds')
        const claimMs = mean('hermit_gateway_store_seconds', 'op="claim"')
        const pairingMs = mean('hermit_gateway_proof_check_seconds')
        const upstreamMs = mean('hermit_gateway_upstream_first_byte_seconds')
        const paidCalls = Number(metrics.match(/^hermit_gateway_tickets_total ([\d.]+)$/m)?.[1])
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
                'each sample is one proxied call minus the direct call made just before it; it includes the gateway taking ' +
                `the payment (from the request to the forward: mean ${verifyMs} ms over every paid call of the run, from its ` +
                `/metrics: the checks, the Groth16 check split between two threads, mean ${pairingMs} ms, and the SQLite claim, mean ${claimMs} ms); ` +
                `the upstream's own answer head came ${upstreamMs} ms (mean) after the gateway forwarded`,
            },
          ),
          summarize(
            'added to time to first token by the gateway alone (a zk-rln client paying it straight, precomputed proof)',
            'ms',
            gatewayOnly,
            { note: 'the same pairing as the row above, without the proxy: the difference of the two is the proxy' },
          ),
          summarize(
            'added to time to first token by two plain Node.js forwarding processes (no payment; the floor of the path)',
            'ms',
            plainHops,
            {
              note:
                'bench/forward.mjs twice, node:http like Hermit: the first opens a new connection for every call (as the ' +
                "paying client's transport does, so no two calls share one), the second keeps its connection to the upstream; the same pairing",
            },
          ),
          summarize(
            'added to time to first token by proxy + gateway, both with --preverify (paired calls)',
            'ms',
            preverified,
            {
              note:
                'another user and gateway: each proof was sent and checked when the proxy made it; ' +
                'the call checks the one-time signature and claims the nullifier',
            },
          ),
          directTotal,
          summarize('streamed chat through proxy + gateway (1 ticket): total time', 'ms', paid.total, {
            baseline: baselineOf(directTotal),
          }),
          summarize('added to total time by proxy + gateway (paired calls)', 'ms', added(paid.total, direct.total)),
        ]
      }
    } finally {
      await Promise.all(children.map(stop))
      await model.close()
      await terminateProver()
      await d.stop()
    }
  },
}
