import { beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { ollamaProvider, type LlmProvider } from '@hermit/llm'
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

/**
 * verify() on a scenario of the test bed, under the bed's policy, with the scenario's intent (when
 * it has one) and, unless `origin: false`, its origin; `provider` is the model consulted, if any.
 */
function verifyScenario(name: string, options: { origin?: boolean; provider?: LlmProvider } = {}) {
  const s = bed.scenarios[name]!
  return verify(s.request, {
    client: net().publicClient,
    policy: bed.policy,
    ...(options.origin === false ? {} : { origin: s.origin }),
    ...(s.intent ? { intent: s.intent } : {}),
    ...(options.provider ? { provider: options.provider } : {}),
  })
}

/** The scripted model as verify()'s provider. */
const scriptedJudge = () => ollamaProvider({ model: 'scripted-judge', host: model.url })

/** What the scripted model answers next: this judgement, as its JSON reply. */
const nextJudgement = (judgement: { matchesIntent: string; verdict: string; concerns: string[]; summary: string }) =>
  model.script([{ content: JSON.stringify(judgement) }])

describe('test bed, deterministic (provider none)', () => {
  for (const name of names) {
    it(name, async () => {
      const s = bed.scenarios[name]!
      const report = await verifyScenario(name)
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
    nextJudgement({
      matchesIntent: 'unclear',
      verdict: 'block',
      concerns: ['the router is new to me'],
      summary: 'Swaps 100 dUSD for dWETH.',
    })
    const report = await verifyScenario('benign-swap', { origin: false, provider: scriptedJudge() })
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
      nextJudgement({ matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'Looks safe.' })
      const report = await verifyScenario(name, { provider: scriptedJudge() })
      expect(report.model.consulted).toBe(true)
      expect(report.verdict).toBe('block')
    })
  }

  it('a token named like an instruction reaches the model only as quoted untrusted data', async () => {
    nextJudgement({ matchesIntent: 'yes', verdict: 'allow', concerns: [], summary: 'The token says it is safe.' })
    const report = await verifyScenario('prompt-injection', { provider: scriptedJudge() })
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
    const report = await verifyScenario('approval-drainer', { origin: false, provider: scriptedJudge() })
    expect(report.verdict).toBe('block')
    expect(report.model).toMatchObject({
      consulted: false,
      reason: expect.stringMatching(/failed.*deterministic verdict kept/),
    })
  })
})
