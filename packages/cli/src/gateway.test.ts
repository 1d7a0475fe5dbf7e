import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEther } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { startScriptedModelServer } from '@hermit/llm/testing'
import { HEADER_REQUIRED, decodeHeader, paymentRequiredSchema, saveKeystore } from '@hermit/zkpay'
import { devnetDepositor, devnetPool } from '@hermit/zkpay/testing'
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
        `${pool.price * 10_000n} base`,
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
        formatEther(pool.price * 4n) + ' ETH',
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

  it('hermit pay proxy pays a plain OpenAI-style chat to a hermit gateway process, forwards no app header, and reports /hermit/status', async () => {
    const d = net()
    const { pool } = await devnetPool(d, { providerIndex: 5 })
    const model = await startScriptedModelServer({ script: [{ content: 'paid answer' }] })
    stops.push(() => model.close())
    // the user (dev account 1) and two others: an anonymity set of 3, the proxy's default floor
    const user = await devnetDepositor(d, pool, 1, 4n, dir)
    for (const i of [3, 4]) await devnetDepositor(d, pool, i, 1n, dir)
    const password = 'proxy test password'
    const keystore = join(dir, 'proxy-id.json')
    saveKeystore(keystore, user.identity, password, { N: 1024 })

    const gw = startHermit(
      [
        'gateway',
        ...['--rpc', d.rpcUrl, '--pool', pool.address, '--upstream', model.url, '--port', '0'],
        ...['--store', `sqlite:${join(dir, 'proxy-n.sqlite')}`, '--workers', '1', '--json'],
      ],
      { env: { HERMIT_PRIVATE_KEY: '' } },
    )
    stops.push(() => gw.stop())
    const gateway = (JSON.parse(await gw.waitForStdout(/"url"/)) as { url: string }).url
    const px = startHermit(
      [
        'pay',
        'proxy',
        ...['--rpc', d.rpcUrl, '--gateway', gateway, '-k', keystore, '-t', user.tickets.path],
        ...['--port', '0', '--precompute', '1', '--json'],
      ],
      { env: { HERMIT_KEYSTORE_PASSWORD: password } },
    )
    stops.push(() => px.stop())
    const started = JSON.parse(await px.waitForStdout(/"url"/)) as { url: string; ticketsLeft: number }
    expect(started.ticketsLeft).toBe(4)

    const res = await fetch(`${started.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-the-apps-key',
        'user-agent': 'my-app/1.0',
      },
      body: JSON.stringify({ model: 'scripted-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16 }),
    })
    expect(res.status).toBe(200)
    const reply = (await res.json()) as { choices: Array<{ message: { content: string } }> }
    expect(reply.choices[0]!.message.content).toBe('paid answer')
    expect(model.requests).toHaveLength(1)
    expect(model.requests[0]!.headers.authorization).toBeUndefined()
    expect(model.requests[0]!.headers['user-agent']).not.toBe('my-app/1.0')

    const status = (await (await fetch(`${started.url}/hermit/status`)).json()) as Record<string, unknown>
    expect(status).toMatchObject({
      gateway,
      pool: pool.address,
      ticketsLeft: 3,
      anonymitySet: 3,
      minAnonymitySet: 3,
      tokensPerTicket: 1000,
    })

    for (const p of [px, gw]) {
      const kill = setTimeout(() => void p.stop('SIGKILL'), 20_000)
      const stopped = await p.stop()
      clearTimeout(kill)
      expect(stopped.signal, stopped.stderr).toBeNull()
      expect(stopped.code, stopped.stderr).toBe(0)
    }
  }, 90_000)
})
