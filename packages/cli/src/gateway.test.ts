import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { startScriptedModelServer } from '@hermit/llm/testing'
import { HEADER_REQUIRED, decodeHeader, paymentRequiredSchema } from '@hermit/zkpay'
import { devnetPool } from '@hermit/zkpay/testing'
import { ExitCode } from './exit.ts'
import { runHermit, startHermit } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-gateway-cli-'))
const stops: Array<() => Promise<unknown>> = []
afterAll(async () => {
  for (const s of stops.reverse()) await s()
})

describe('hermit gateway', () => {
  it('hermit gateway refuses a price that buys no token, serves /healthz and a 402 stating tokens per ticket, and stops on Ctrl-C', async () => {
    const d = net()
    const { pool } = await devnetPool(d, { providerIndex: 5 })
    const model = await startScriptedModelServer({ script: [{ content: 'paid answer' }] })
    stops.push(() => model.close())
    // a price per 1000 tokens of 4 tickets: a ticket buys 250 tokens
    const common = ['--rpc', d.rpcUrl, '--pool', pool.address, '--upstream', model.url, '--port', '0']
    const tooCheap = await runHermit(
      [
        'gateway',
        ...common,
        '--store',
        `sqlite:${join(dir, 'unused.sqlite')}`,
        '--price-per-1k-tokens',
        String(pool.price * 10_000n),
      ],
      {
        env: { HERMIT_PRIVATE_KEY: '' },
      },
    )
    expect(tooCheap.code, tooCheap.stderr).toBe(ExitCode.usage) // a ticket would buy no token
    const gw = startHermit(
      [
        'gateway',
        ...common,
        '--store',
        `sqlite:${join(dir, 'n.sqlite')}`,
        '--price-per-1k-tokens',
        String(pool.price * 4n),
        '--json',
      ],
      { env: { HERMIT_PRIVATE_KEY: '' } },
    )
    stops.push(() => gw.stop())
    const started = JSON.parse(await gw.waitForStdout(/"url"/)) as { url: string; tokensPerTicket: number }
    expect(started.tokensPerTicket).toBe(250)
    expect(await (await fetch(`${started.url}/healthz`)).json()).toEqual({ ok: true })
    const unpaid = await fetch(`${started.url}/v1/chat/completions`, { method: 'POST', body: '{}' })
    expect(unpaid.status).toBe(402)
    const required = decodeHeader(paymentRequiredSchema, unpaid.headers.get(HEADER_REQUIRED) ?? undefined, 'x')
    expect(required.accepts[0]!.extra.tokensPerTicket).toBe(250)

    const kill = setTimeout(() => void gw.stop('SIGKILL'), 20_000)
    const gwStopped = await gw.stop()
    clearTimeout(kill)
    expect(gwStopped.signal, gwStopped.stderr).toBeNull() // Ctrl-C stops the gateway cleanly
    expect(gwStopped.code).toBe(0)
  }, 90_000)
})
