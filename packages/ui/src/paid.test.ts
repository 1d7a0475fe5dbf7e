import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { terminateProver } from '@hermit/circuits'
import { useDevnet } from '@hermit/devnet/testing'
import { devnetClient, devnetDepositor, devnetPool, startPaidServer } from '@hermit/zkpay/testing'
import { PaidCalls, zkpayPaid } from './paid.ts'
import { startUi } from './server.ts'
import { CHROMIUM_INSTALL_MS, launchChromium } from './testing/index.ts'

const net = useDevnet()
const dir = mkdtempSync(join(tmpdir(), 'hermit-ui-paid-'))
const shots = fileURLToPath(new URL('../screenshots/', import.meta.url))
mkdirSync(shots, { recursive: true })
let browser: Browser | undefined

beforeAll(async () => {
  browser = await launchChromium()
}, CHROMIUM_INSTALL_MS)
afterAll(async () => {
  await browser?.close()
  await terminateProver()
})

const texts = (page: import('puppeteer-core').Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e as unknown as { innerText: string }).innerText.trim()))

describe('hermit ui: the Paid calls panel in Chromium', () => {
  it("shows the zkpay client's tickets, ready proofs, anonymity set and last call by nullifier, and buys tickets from the keyboard", async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const server = await startPaidServer(net(), pool, {
      dbPath: join(dir, 'nullifiers.sqlite'),
      fromBlock,
      handler: async () => ({ headers: { 'content-type': 'text/plain' }, body: 'ok' }),
    })
    const { client, depositor } = await devnetClient(net(), pool, 1, 3n, dir, { fromBlock })
    const calls = new PaidCalls()
    const paid = await client.fetch(`${server.url}/answer`)
    expect(paid.status).toBe(200)
    calls.note(paid)
    const ui = await startUi({
      paid: zkpayPaid({
        client,
        tickets: depositor.tickets,
        calls,
        buy: async (tickets) => {
          const d = await devnetDepositor(net(), pool, 2, BigInt(tickets), dir)
          return { leafIndex: d.leafIndex, tickets }
        },
      }),
    })
    try {
      const page = await browser!.newPage()
      await page.goto(ui.url)
      await page.waitForSelector('dl.facts')
      const facts = await texts(page, 'dl.facts dd')
      expect(facts.slice(1)).toEqual(['2 of 3 (1 used)', '0', expect.stringMatching(/^1 live deposit/)])
      expect(await texts(page, 'ul.calls li')).toEqual([expect.stringContaining(paid.payment!.nullifier)])
      // the panel shows nullifiers, never the URL called
      expect(await page.$eval('main', (m) => m.textContent)).not.toContain('/answer')
      await page.focus('::-p-aria(Tickets to buy)')
      await page.keyboard.down('Control')
      await page.keyboard.press('a')
      await page.keyboard.up('Control')
      await page.keyboard.type('4')
      await page.keyboard.press('Enter')
      await page.waitForSelector('.bought', { timeout: 20_000 })
      expect(await texts(page, '.bought')).toEqual([expect.stringMatching(/^Deposited: leaf #1, 4 tickets\.$/)])
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText.includes(
            '2 live deposit',
          ),
        { timeout: 10_000 },
      )
      await page.screenshot({ path: join(shots, 'paid.png'), fullPage: true })
    } finally {
      await ui.close()
      await server.close()
    }
  }, 90_000)
})
