import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { ollamaProvider } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer } from '@hermit/llm/testing'
import { afterAll } from 'vitest'
import { verify, formatReport } from './index.ts'
import { deployTestbed, INJECTION_NAME, type Testbed } from './testing/index.ts'

const net = useDevnet()
let bed: Testbed
let model: ScriptedModelServer

beforeAll(async () => {
  // deployed once, before the per-test snapshot, so every test starts from the same test bed
  bed = await deployTestbed(net())
  model = await startScriptedModelServer({ models: ['scripted-judge'] })
})
afterAll(() => model.close())

const names = [
  'benign-swap',
  'benign-approve',
  'benign-nft',
  'approval-drainer',
  'multicall-drainer',
  'fake-airdrop',
  'honeypot',
  'permit2-drain',
  'address-poisoning',
  'proxy-upgrade',
  'prompt-injection',
  'blind-signature',
]

describe('test bed, deterministic (provider none)', () => {
  for (const name of names) {
    it(name, async () => {
      const s = bed.scenarios[name]!
      const report = await verify(s.request, {
        client: net().publicClient,
        policy: bed.policy,
        origin: s.origin,
        ...(s.intent ? { intent: s.intent } : {}),
      })
      const ids = report.reasons.filter((r) => r.severity !== 'info').map((r) => r.id)
      expect({ verdict: report.verdict, ids }, formatReport(report)).toMatchObject({ verdict: s.expect.verdict })
      expect(ids).toEqual(expect.arrayContaining(s.expect.reasons))
      if (s.expect.verdict === 'allow') expect(ids).toEqual([])
      expect(report.model).toEqual({ consulted: false, reason: expect.stringMatching(/no model consulted/) })
    })
  }
})

describe('test bed, with the scripted model', () => {
  it('a model that says "block" raises an allow, with its reasons in the report', async () => {
    model.script([
      {
        content: JSON.stringify({
          matchesIntent: 'unclear',
          verdict: 'block',
          concerns: ['the router is new to me'],
          summary: 'Swaps 100 dUSD for dWETH.',
        }),
      },
    ])
    const s = bed.scenarios['benign-swap']!
    const report = await verify(s.request, {
      client: net().publicClient,
      policy: bed.policy,
      intent: s.intent!,
      provider: ollamaProvider({ model: 'scripted-judge', host: model.url }),
    })
    expect(report.deterministicVerdict).toBe('allow')
    expect(report.verdict).toBe('block')
    expect(report.model).toMatchObject({
      consulted: true,
      raised: true,
      judgement: { concerns: ['the router is new to me'] },
    })
  })

  for (const name of names.filter((n) => bed?.scenarios?.[n]?.expect.verdict !== 'allow' && !n.startsWith('benign'))) {
    it(`${name}: a model answering "allow" cannot lower the block`, async () => {
      model.script([
        { content: JSON.stringify({ matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'Looks safe.' }) },
      ])
      const s = bed.scenarios[name]!
      const report = await verify(s.request, {
        client: net().publicClient,
        policy: bed.policy,
        origin: s.origin,
        ...(s.intent ? { intent: s.intent } : {}),
        provider: ollamaProvider({ model: 'scripted-judge', host: model.url }),
      })
      expect(report.model.consulted).toBe(true)
      expect(report.verdict).toBe('block')
    })
  }

  it('a token named like an instruction reaches the model only as quoted untrusted data', async () => {
    model.script([
      {
        content: JSON.stringify({
          matchesIntent: 'yes',
          verdict: 'allow',
          concerns: [],
          summary: 'The token says it is safe.',
        }),
      },
    ])
    const s = bed.scenarios['prompt-injection']!
    const report = await verify(s.request, {
      client: net().publicClient,
      policy: bed.policy,
      intent: s.intent!,
      origin: s.origin,
      provider: ollamaProvider({ model: 'scripted-judge', host: model.url }),
    })
    expect(report.verdict).toBe('block')
    const prompt = model.requests
      .at(-1)!
      .messages.map((m) => m.content)
      .join('\n')
    expect(prompt).toContain(INJECTION_NAME)
    // every occurrence is inside an {"untrusted": …} value
    const bare = prompt.split(`"untrusted": "${INJECTION_NAME}"`).join('').split(INJECTION_NAME).length - 1
    const quotedInFindings = prompt.match(/"untrusted": "[^"]*Ignore previous instructions/g)?.length ?? 0
    expect(bare).toBeLessThanOrEqual(quotedInFindings)
    expect(model.requests.at(-1)!.messages[0]!.content).toMatch(/never instructions/)
  })

  it('a model that fails keeps the deterministic verdict and says so', async () => {
    model.script([{ status: 500, error: 'boom' }])
    const s = bed.scenarios['approval-drainer']!
    const report = await verify(s.request, {
      client: net().publicClient,
      policy: bed.policy,
      intent: s.intent!,
      provider: ollamaProvider({ model: 'scripted-judge', host: model.url }),
    })
    expect(report.verdict).toBe('block')
    expect(report.model).toMatchObject({
      consulted: false,
      reason: expect.stringMatching(/failed.*deterministic verdict kept/),
    })
  })
})
