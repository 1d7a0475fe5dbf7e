import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { noneProvider, providerFromSpec, type LlmProvider } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from '@hermit/llm/testing'
import type { Intent } from './intent.ts'
import { readIntent } from './model.ts'

const MODEL = 'scripted-intent-reader'
let server: ScriptedModelServer
let deadUrl: string

beforeAll(async () => {
  server = await startScriptedModelServer({ models: [MODEL] })
  const dead = await startScriptedModelServer()
  deadUrl = dead.url
  await dead.close()
})
afterAll(() => server?.close())
beforeEach(() => {
  server.requests.length = 0
})

const BOOK = {
  bob: '0x00000000000000000000000000000000000b0b00',
  'the router': '0x000000000000000000000000000000000000a0b7',
} as const
const TOKENS = {
  USDC: '0x000000000000000000000000000000000000c0c0',
  DAI: '0x000000000000000000000000000000000000da10',
} as const

const provider = (url = server.url): LlmProvider => providerFromSpec(`ollama:${MODEL}`, { ollamaHost: url })
const reads = (intent: Intent): ScriptedReply => ({ content: JSON.stringify({ intent }) })
const read = (words: string, p: LlmProvider = provider()) =>
  readIntent(words, { provider: p, addressBook: BOOK, tokens: TOKENS })

describe('readIntent with a model (scripted model server)', () => {
  it('both readings agree: reader "both"', async () => {
    server.script([reads({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' })])
    const r = await read('pay bob 15 USDC')
    expect(r.reader).toBe('both')
    expect(r.intent).toEqual({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' })
    expect(r.described).toBe('your intent as read: send 15 USDC to bob (by the parser and the model)')
    expect(r.disagreement).toBeUndefined()
  })

  it('a model that reads a larger amount than the parser is overruled, and the result says so', async () => {
    server.script([reads({ action: 'send', asset: 'USDC', amount: '1500', to: 'bob' })])
    const r = await read('pay bob 15 USDC')
    expect(r.reader).toBe('parser')
    expect(r.intent).toEqual({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' })
    expect(r.modelIntent).toMatchObject({ amount: '1500' })
    expect(r.disagreement).toMatch(/looser .*more .* leave.*parser's reading is used/)
  })

  it('a model that drops the minimum a swap must return is overruled', async () => {
    server.script([reads({ action: 'swap', sell: { asset: 'DAI', amount: '1000' }, buy: { asset: 'ETH' } })])
    const r = await read('trade 1,000 DAI for ETH, no worse than 0.3 ETH')
    expect(r.reader).toBe('parser')
    expect(r.intent).toMatchObject({ action: 'swap', minOut: '0.3' })
    expect(r.disagreement).toContain('accepts less')
  })

  it('a model that turns a send into an unlimited approval never gets its approval: neither reading is used', async () => {
    server.script([reads({ action: 'approve', token: 'USDC', spender: 'bob', amount: 'unlimited' })])
    const r = await read('send 15 usdc to bob')
    expect(r.intent.action).toBe('unknown')
    expect(r.disagreement).toContain('allows an approval')
  })

  it('a model reading stricter than the parser wins (a minimum the parser did not read is kept)', async () => {
    server.script([
      reads({ action: 'swap', sell: { asset: 'ETH', amount: '1' }, buy: { asset: 'USDC' }, minOut: '3000' }),
    ])
    const r = await read('swap 1 eth for usdc')
    expect(r.reader).toBe('model')
    expect(r.intent).toMatchObject({ minOut: '3000' })
    expect(r.disagreement).toContain("the model's reading is used")
  })

  it('when each reading allows what the other does not, neither is used: unknown', async () => {
    server.script([reads({ action: 'send', asset: 'USDC', amount: '15', to: 'the router' })])
    const r = await read('pay bob 15 USDC')
    expect(r.intent.action).toBe('unknown')
    expect(r.disagreement).toContain('each reading allows something the other does not')
  })

  it('words the parser cannot read are read by the model alone: reader "model"', async () => {
    server.script([reads({ action: 'send', asset: 'DAI', amount: '5', to: 'bob' })])
    const r = await read('yo bob needs 5 dai from me, sort it')
    expect(r.parsed.action).toBe('unknown')
    expect(r.reader).toBe('model')
    expect(r.described).toBe('your intent as read: send 5 DAI to bob (by the model)')
  })

  it('a reply that does not fit the schema is retried once, then INTENT_MODEL_INVALID_OUTPUT; the parser’s reading stands', async () => {
    const bad: ScriptedReply = {
      content: JSON.stringify({ intent: { action: 'send', asset: 'USDC', amount: 'lots', to: 'bob' } }),
    }
    server.script([bad, bad])
    const r = await read('pay bob 15 USDC')
    expect(server.requests).toHaveLength(2)
    expect(r.reader).toBe('parser')
    expect(r.intent).toEqual({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' })
    expect(r.modelError).toMatchObject({ code: 'INTENT_MODEL_INVALID_OUTPUT' })
    expect(r.modelError?.shortMessage).toContain('amount')
  })

  it('a reply fixed on the retry is used', async () => {
    server.script([
      { content: 'sure! it is a send' },
      reads({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' }),
    ])
    const r = await read('pay bob 15 USDC')
    expect(server.requests).toHaveLength(2)
    expect(r.reader).toBe('both')
  })

  it('an unreachable model gives INTENT_MODEL_FAILED and the parser’s reading', async () => {
    const r = await read('pay bob 15 USDC', provider(deadUrl))
    expect(r.modelError).toMatchObject({ code: 'INTENT_MODEL_FAILED' })
    expect(r.reader).toBe('parser')
  })

  it('without a model (none) only the parser reads, and no request is made', async () => {
    const r = await read('pay bob 15 USDC', noneProvider)
    expect(r.reader).toBe('parser')
    expect(server.requests).toHaveLength(0)
  })

  it('the prompt holds the user’s words and the names of their tokens and contacts, and no address', async () => {
    server.script([reads({ action: 'send', asset: 'USDC', amount: '15', to: 'bob' })])
    await read('pay bob 15 USDC')
    const sent = server.requests[0]!.messages.map((m) => m.content).join('\n')
    expect(sent).toContain('pay bob 15 USDC')
    for (const name of ['bob', 'the router', 'USDC', 'DAI']) expect(sent).toContain(name)
    expect(sent).not.toMatch(/0x[0-9a-fA-F]{6,}/)
    expect(server.requests[0]!.messages.map((m) => m.role)).toEqual(['system', 'user'])
    // structured output: the intent schema went to the server as the reply format
    expect(JSON.stringify(server.requests[0]!.format)).toContain('nft.buy')
  })
})
