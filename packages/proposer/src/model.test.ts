import { parseEther, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { providerFromSpec } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from '@hermit/llm/testing'
import { propose } from './propose.ts'
import { sendProposal } from './send.ts'
import { fund, proposeOptions } from './testing/index.ts'
import { mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'

const net = useDevnet({ world: 'defi' })
const MODEL = 'scripted-proposer'
let server: ScriptedModelServer
beforeAll(async () => {
  server = await startScriptedModelServer({ models: [MODEL] })
})
afterAll(() => server?.close())

const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
/** The model answers with these tool calls, then "done". */
function scripted(calls: ScriptedReply['toolCalls'] | null, content = 'done') {
  server.script(calls ? [{ toolCalls: calls }, { content }] : [{ content }])
  return {
    ...proposeOptions(net(), user(), { bob: bob() }),
    provider: providerFromSpec(`ollama:${MODEL}`, { ollamaHost: server.url }),
  }
}

describe('propose with a model: the catalogue as tools, Hermit resolves and builds', () => {
  it('the model picks send; Hermit resolves "bob" and builds the transfer; it lands, and the proposal says a model chose', async () => {
    const o = scripted([{ name: 'send', arguments: { asset: 'ETH', amount: '0.3', to: 'bob' } }])
    const p = await propose('send 0.3 ETH to bob', o)
    expect(p.steps.map((s) => [s.action.kind, s.call.to, s.call.value])).toEqual([
      ['native.transfer', bob(), parseEther('0.3')],
    ])
    expect(p.reading.model.consulted).toBe(true)
    expect(p.reading.model.note).toMatch(/chose the actions/)
    // the model was offered the catalogue as tools with typed parameters
    const tools = (server.requests[0]?.tools ?? []) as Array<{ function?: { name: string } }>
    expect(tools.map((t) => t.function?.name)).toEqual([
      'send',
      'swap',
      'approve',
      'wrap',
      'unwrap',
      'register_agent',
      'give_feedback',
      'fund_escrow_job',
      'deposit_pool',
      'call_function',
    ])
    expect(p.verdict).toBe('allow')
    const before = await net().publicClient.getBalance({ address: bob() })
    await sendProposal(p, {
      client: net().publicClient,
      account: user(),
      journal: join(mkdtempSync(join(tmpdir(), 'p-')), 'j.json'),
    })
    expect((await net().publicClient.getBalance({ address: bob() })) - before).toBe(parseEther('0.3'))
  })

  it('a model that inserts an approval the words did not ask for: blocked, and it cannot be sent', async () => {
    await fund(net(), user().address, { USDC: parseUnits('100', 6) })
    const o = scripted([
      { name: 'approve', arguments: { token: 'USDC', spender: bob(), amount: '100' } },
      { name: 'send', arguments: { asset: 'USDC', amount: '10', to: 'bob' } },
    ])
    const p = await propose('send 10 USDC to bob', o)
    expect(p.steps.map((s) => s.action.kind)).toEqual(['erc20.approve', 'erc20.transfer'])
    expect(p.verdict).toBe('block')
    expect(p.reasons.some((r) => r.step === 1 && r.severity === 'block')).toBe(true)
    expect(() =>
      sendProposal(p, { client: net().publicClient, account: user(), journal: '/nonexistent/j.json', yes: true }),
    ).toThrow(expect.objectContaining({ code: 'PROPOSER_BLOCKED' }))
  })

  it.each([
    [
      'an unknown token',
      [{ name: 'send', arguments: { asset: 'FOO', amount: '1', to: 'bob' } }],
      'INTENT_UNKNOWN_TOKEN',
    ],
    [
      'an unknown function',
      [{ name: 'transferFrom', arguments: { asset: 'ETH', amount: '1', to: 'bob' } }],
      'PROPOSER_MODEL_INVALID',
    ],
    [
      'a non-existent address',
      [{ name: 'send', arguments: { asset: 'ETH', amount: '1', to: '0x1234' } }],
      'INTENT_UNKNOWN_NAME',
    ],
    [
      'a negative amount',
      [{ name: 'send', arguments: { asset: 'ETH', amount: '-1', to: 'bob' } }],
      'PROPOSER_MODEL_INVALID',
    ],
    [
      'an absurd amount',
      [{ name: 'send', arguments: { asset: 'ETH', amount: '1000000000000', to: 'bob' } }],
      'PROPOSER_INSUFFICIENT_BALANCE',
    ],
  ] as const)('a model reply naming %s: a clear error, nothing sent', async (_, calls, code) => {
    const nonce = await net().publicClient.getTransactionCount({ address: user().address })
    await expect(propose('send 1 ETH to bob', scripted([...calls]))).rejects.toMatchObject({ code })
    expect(await net().publicClient.getTransactionCount({ address: user().address })).toBe(nonce)
  })

  it('malformed JSON instead of a tool call: a clear error, nothing built', async () => {
    await expect(
      propose('send 1 ETH to bob', scripted(null, '{"send": {"asset": "ETH", "amount": 1,')),
    ).rejects.toMatchObject({
      code: 'PROPOSER_MODEL_INVALID',
      message: expect.stringMatching(/no tool/),
    })
  })
})
