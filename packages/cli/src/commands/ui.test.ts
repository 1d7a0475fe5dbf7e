import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeFunctionData, erc20Abi, maxUint256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { saveAccountKeystore } from '@hermit/chain'
import { defiWorld, serializeDeployments } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { startHermit, type HermitProcess } from '../testing/index.ts'

const net = useDevnet({ world: 'defi' })
const dir = mkdtempSync(join(tmpdir(), 'hermit-ui-cli-'))
const key = () => toHex(net().accounts[1]!.getHdKey().privateKey!)
let ui: HermitProcess
let guard: HermitProcess
let uiLine: { url: string; signer: string }
let guardLine: { url: string; ui: string }

// both started at once, and waited for here: most of the time is the children's start-up
beforeAll(async () => {
  const d = net()
  const deployments = join(dir, 'deployments.json')
  writeFileSync(deployments, serializeDeployments(d.deployments))
  const policy = join(dir, 'policy.json')
  writeFileSync(
    policy,
    JSON.stringify({ addressBook: { 'Uniswap V2 Router02': defiWorld(d.deployments).uniswapV2.router02 } }),
  )
  // the page's signer comes from an encrypted keystore; $HERMIT_PRIVATE_KEY is not set
  const keystore = join(dir, 'signer.json')
  saveAccountKeystore(keystore, key(), 'ui test password', { N: 2 ** 10 })
  ui = startHermit(['ui', '--rpc', d.rpcUrl, '--deployments', deployments, '--keystore', keystore, '--json'], {
    env: { HERMIT_MODEL: 'none', HERMIT_KEYSTORE_PASSWORD: 'ui test password' },
  })
  guard = startHermit(
    ['guard', '--upstream', d.rpcUrl, '--port', '0', '--policy', policy, '--ui', '--hold', '2', '--json'],
    { env: { HERMIT_MODEL: 'none' } },
  )
  const first = async (p: HermitProcess) => JSON.parse((await p.waitForStdout(/\n/, 60_000)).split('\n')[0]!)
  ;[uiLine, guardLine] = await Promise.all([first(ui), first(guard)])
}, 90_000)
afterAll(async () => {
  await Promise.all([ui?.stop(), guard?.stop()])
})

describe('hermit ui and hermit guard --ui', () => {
  it('hermit ui --keystore prints a 127.0.0.1 link with its token; the page and its API need it; the key never reaches the page', async () => {
    const { url, signer } = uiLine
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/)
    expect(signer).toBe(net().accounts[1]!.address)
    const origin = new URL(url).origin
    const token = new URL(url).searchParams.get('token')!
    expect((await fetch(url)).status).toBe(200)
    expect((await fetch(`${origin}/`)).status).toBe(401)
    const state = await fetch(`${origin}/api/state`, { headers: { 'x-hermit-token': token } })
    expect(await state.json()).toMatchObject({ propose: true, signer, guard: false })
    const served = [await (await fetch(url)).text(), await (await fetch(`${origin}/app.js`)).text()].join('')
    expect(served.toLowerCase()).not.toContain(key().slice(2).toLowerCase())
  })

  it('hermit guard --ui holds a warn until the page answers, and refuses it when nobody does within --hold', async () => {
    const d = net()
    const world = defiWorld(d.deployments)
    const { url, ui: page } = guardLine
    const token = new URL(page).searchParams.get('token')!
    const send = async () =>
      (
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'eth_sendTransaction',
            params: [
              {
                from: d.accounts[1]!.address,
                to: world.tokens.USDC,
                data: encodeFunctionData({
                  abi: erc20Abi,
                  functionName: 'approve',
                  args: [world.uniswapV2.router02, maxUint256],
                }),
              },
            ],
          }),
        })
      ).json() as Promise<{ result?: string; error?: { message: string } }>
    const answer = (id: string, a: 'allow' | 'refuse') =>
      fetch(`${new URL(page).origin}/api/guard/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hermit-token': token },
        body: JSON.stringify({ id, answer: a }),
      })
    const allowed = send()
    // 404 until the request is checked and held
    await vi.waitFor(async () => expect((await answer('1', 'allow')).status).toBe(200), {
      timeout: 20_000,
      interval: 50,
    })
    expect((await allowed).result).toMatch(/^0x[0-9a-f]{64}$/)
    const t0 = Date.now()
    const unanswered = await send()
    expect(unanswered.error?.message).toMatch(/Hermit refused \(warn, not allowed\)/)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000)
  })
})
