import { request } from 'node:http'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'puppeteer-core'
import { createWalletClient, encodeFunctionData, erc20Abi, http, maxUint256, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defiWorld } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { startGuardProxy, type GuardProxy } from '@hermit/txguard'
import { GuardBoard } from './guard.ts'
import { startUi, type UiServer } from './server.ts'
import { CHROMIUM_INSTALL_MS, launchChromium } from './testing/index.ts'

const net = useDevnet({ world: 'defi' })
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url))
mkdirSync(shots, { recursive: true })
let browser: Browser
let ui: UiServer
let guard: GuardProxy
const board = new GuardBoard({ holdMs: 25_000 })

const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
const world = () => defiWorld(net().deployments)

beforeAll(async () => {
  const d = net()
  ;[browser, ui, guard] = await Promise.all([
    launchChromium(),
    startUi({
      propose: {
        options: {
          client: d.publicClient,
          rpcUrl: d.rpcUrl,
          user: user().address,
          protocols: world(),
          addressBook: { bob: bob() },
          tokens: world().tokens,
        },
        account: user(),
        journal: join(mkdtempSync(join(tmpdir(), 'hermit-ui-')), 'journal.json'),
      },
      guard: board,
    }),
    startGuardProxy({
      upstream: d.rpcUrl,
      simulation: d.publicClient,
      policy: { addressBook: { 'Uniswap V2 Router02': world().uniswapV2.router02 } },
      onCheck: board.onCheck,
      decide: board.decide,
    }),
  ])
}, CHROMIUM_INSTALL_MS)
afterAll(async () => {
  await Promise.all([browser?.close(), ui?.close(), guard?.close()])
})

async function open(hash = ''): Promise<Page> {
  const page = await browser.newPage()
  await page.goto(`${ui.url}${hash}`)
  return page
}

/** Types the words with the keyboard and submits with Enter: no mouse. */
async function proposeWords(page: Page, words: string) {
  await page.focus('::-p-aria(What do you want to do?)')
  await page.keyboard.type(words)
  await page.keyboard.press('Enter')
  await page.waitForSelector('#result-h', { timeout: 25_000 })
}

const texts = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.trim()))

describe('hermit ui: the Propose page in Chromium', () => {
  it('proposes "wrap 1 ETH", signs it with the local account, and the WETH balance grows by 1', async () => {
    const page = await browser.newPage()
    const requested: string[] = []
    page.on('request', (r) => void requested.push(r.url()))
    await page.goto(ui.url)
    await proposeWords(page, 'wrap 1 ETH')
    expect(await texts(page, '#result-h')).toEqual(['Verdict: ALLOW'])
    expect(await page.$eval('.as-read', (e) => e.textContent)).toMatch(/wrap 1 of the native coin .*by the parser/)
    expect(await texts(page, '.plan > li strong')).toEqual([expect.stringMatching(/Wrap 1 ETH/i)])
    expect(await texts(page, 'table.changes caption')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^you 0x/), expect.stringMatching(/^WETH/)]),
    )
    await page.screenshot({ path: join(shots, 'propose.png'), fullPage: true })
    const weth = () =>
      net().publicClient.readContract({
        address: world().weth,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user().address],
      })
    const before = await weth()
    const sign = await page.waitForSelector('::-p-text(Sign and send)')
    await sign!.focus()
    await page.keyboard.press('Enter')
    await page.waitForSelector('#sent-h', { timeout: 25_000 })
    expect((await weth()) - before).toBe(parseEther('1'))
    const effects = await texts(page, 'table.effects tbody tr')
    expect(effects.find((r) => r.includes('WETH'))).toMatch(/\+1\s+\+1\s+yes/)
    // 200 % zoom: half the CSS width, and nothing runs off the side
    await page.setViewport({ width: 500, height: 800, deviceScaleFactor: 2 })
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
    await (await page.$('section[aria-labelledby=sent-h]'))!.screenshot({ path: join(shots, 'propose-sent.png') })
    // offline: every request the page made went to this server (no CDN, no font)
    expect(requested.length).toBeGreaterThan(3)
    expect(requested.filter((u) => !u.startsWith(`${ui.origin}/`))).toEqual([])
    await page.close()
  })

  it("hands a proposal to the browser's injected wallet (EIP-1193) and shows its receipt and real effects", async () => {
    const page = await browser.newPage()
    const walletAccount = net().accounts[3]!.address
    // the wallet lives outside the page, as an extension does: its RPC is the guard, in Node
    await page.exposeFunction('__walletRpc', async (method: string, params: unknown[]) => {
      if (method === 'eth_requestAccounts') return [walletAccount]
      const res = await fetch(guard.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
      const body = (await res.json()) as { result?: unknown; error?: { message: string } }
      if (body.error) throw new Error(body.error.message)
      return body.result
    })
    // (a string: this file is typechecked without the DOM)
    await page.evaluateOnNewDocument(
      'window.ethereum = { request: ({ method, params }) => window.__walletRpc(method, params ?? []) }',
    )
    await page.goto(ui.url)
    await (await page.waitForSelector('label.inline input[type=checkbox]'))!.click()
    const before = await net().publicClient.getBalance({ address: bob() })
    await proposeWords(page, 'send 0.5 ETH to bob')
    expect(await texts(page, '#result-h')).toEqual(['Verdict: ALLOW'])
    // the proposal is for the wallet's account, so the local key offers nothing
    expect(await texts(page, '.result .sign button')).toEqual(['Send with my browser wallet'])
    await (await page.$('.result .sign button'))!.click()
    await page.waitForSelector('#sent-h', { timeout: 25_000 })
    expect((await net().publicClient.getBalance({ address: bob() })) - before).toBe(parseEther('0.5'))
    expect((await texts(page, 'table.effects tbody tr')).join('\n')).toMatch(/ETH\s+-0\.5\s+-0\.5\s+yes/)
    await page.close()
  })

  it('a send to a look-alike of bob shows its block, and the page has no sign button', async () => {
    const hex = bob().slice(2)
    const middle = [...hex.slice(4, -4)].map((c) => ((parseInt(c, 16) + 7) % 16).toString(16)).join('')
    const lookalike = `0x${hex.slice(0, 4)}${middle}${hex.slice(-4)}`
    const page = await open()
    await proposeWords(page, `send 0.1 ETH to ${lookalike}`)
    expect(await texts(page, '#result-h')).toEqual(['Verdict: BLOCK'])
    expect((await texts(page, '.reasons li')).join('\n')).toMatch(/looks like bob .*recipient\.lookalike/s)
    expect(await texts(page, '.blocked')).toEqual([expect.stringMatching(/will not sign/)])
    expect(await texts(page, '.result button')).toEqual([])
    await page.screenshot({ path: join(shots, 'propose-block.png'), fullPage: true })
    await page.close()
  })

  it('a warning needs a second, explicit click before its sign button appears', async () => {
    const page = await open()
    await proposeWords(page, `approve 10 USDC to ${world().uniswapV3.positionManager}`)
    expect(await texts(page, '#result-h')).toEqual(['Verdict: WARN'])
    expect(await texts(page, '.result .sign button')).toEqual(['I have read the warnings…'])
    await (await page.$('.warn-first'))!.click()
    expect(await texts(page, '.result .sign button')).toEqual([
      expect.stringMatching(/^Yes, sign despite the warnings with 0x/),
    ])
    await page.close()
  })
})

describe('hermit guard --ui: held warnings in Chromium', () => {
  const wallet = () =>
    createWalletClient({
      account: user().address,
      chain: net().chain,
      transport: http(guard.url, { fetchOptions: { headers: { origin: 'https://dapp.example' } } }),
    })
  // unlimited USDC to the known Uniswap router: a warn (a contract the user deals with, not a drainer)
  const approve = () => ({
    to: world().tokens.USDC!,
    data: encodeFunctionData({
      abi: erc20Abi,
      functionName: 'approve',
      args: [world().uniswapV2.router02, maxUint256],
    }),
  })
  const nonce = () => net().publicClient.getTransactionCount({ address: user().address })

  it('holds a warned request until the page allows it; then the wallet call completes', async () => {
    const page = await open('#guard')
    const before = await nonce()
    let settled = false
    const sending = wallet()
      .sendTransaction(approve())
      .finally(() => (settled = true))
    const allow = await page.waitForSelector('button.allow', { timeout: 25_000 })
    expect(await texts(page, 'tr.status-held td')).toEqual(expect.arrayContaining(['https://dapp.example', 'held']))
    expect(settled).toBe(false)
    expect(await nonce()).toBe(before)
    await page.screenshot({ path: join(shots, 'guard-held.png'), fullPage: true })
    await allow!.click()
    const hash = await sending
    expect((await net().publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
    await page.waitForSelector('tr.status-allowed')
    await page.close()
  })

  it('refusing on the page fails the wallet call; a block is refused at once and listed', async () => {
    const page = await open('#guard')
    const before = await nonce()
    const sending = wallet().sendTransaction(approve())
    const refused = expect(sending).rejects.toThrow(/Hermit refused \(warn, not allowed\)/)
    await (await page.waitForSelector('button.refuse', { timeout: 25_000 }))!.click()
    await refused
    await page.waitForSelector('tr.status-refused')
    const drain = encodeFunctionData({
      abi: erc20Abi,
      functionName: 'approve',
      args: [net().accounts[5]!.address, maxUint256],
    })
    await expect(wallet().sendTransaction({ to: world().tokens.USDC!, data: drain })).rejects.toThrow(
      /Hermit refused \(block\)/,
    )
    await vi.waitFor(async () => expect(await texts(page, 'tr.status-refused td.status')).toHaveLength(2), {
      timeout: 10_000,
      interval: 50,
    })
    expect(await nonce()).toBe(before)
    // the newest (the block) opens its full report
    await (await page.$('tbody tr:first-child button'))!.click()
    await page.waitForSelector('.report')
    await page.screenshot({ path: join(shots, 'guard.png'), fullPage: true })
    await page.close()
  })
})

describe('hermit ui: who may talk to it', () => {
  const raw = (path: string, headers: Record<string, string>, method = 'GET', body?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${ui.origin}${path}`, { method, headers }, (res) => {
        let text = ''
        res.on('data', (c: Buffer) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode!, body: text }))
      })
      req.on('error', reject)
      req.end(body)
    })

  it('needs the one-time token, and refuses a foreign Origin or Host', async () => {
    const token = { 'x-hermit-token': ui.token }
    expect((await raw('/api/state', {})).status).toBe(401)
    // one character off (never the same one: a token ending in x stays a wrong token)
    const wrong = `${ui.token.slice(0, -1)}${ui.token.endsWith('x') ? 'y' : 'x'}`
    expect((await raw('/api/state', { 'x-hermit-token': wrong })).status).toBe(401)
    expect(JSON.parse((await raw('/api/state', token)).body)).toMatchObject({ propose: true, guard: true })
    const post = (headers: Record<string, string>) =>
      raw('/api/propose', { 'content-type': 'application/json', ...headers }, 'POST', '{"words":"wrap 1 ETH"}')
    expect((await post({})).status).toBe(401)
    const foreign = await post({ ...token, origin: 'https://evil.example' })
    expect(foreign.status).toBe(403)
    expect(JSON.parse(foreign.body).error.code).toBe('UI_FORBIDDEN')
    // DNS rebinding: a name of the attacker's that resolves to 127.0.0.1
    expect((await raw('/api/state', { ...token, host: `evil.example:${new URL(ui.origin).port}` })).status).toBe(403)
    const page = await browser.newPage()
    const res = await page.goto(`${ui.origin}/`)
    expect(res?.status()).toBe(401)
    expect(await page.$eval('body', (b) => b.textContent)).toMatch(/one-time token/)
    await page.close()
  })
})
