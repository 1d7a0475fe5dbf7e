/**
 * The model's part in verify(): its judgement may only RAISE the deterministic verdict. A model that
 * says the request does not match the intent raises it to at least warn; a model that fails (bad
 * output, server error, unreachable, too slow) changes nothing, and the report says why.
 *
 * The model is the scripted test double from @hermit/llm/testing (no model runs); the requests are the
 * test bed's, simulated on a devnet. Every claim runs through both provider kinds, built from a spec
 * the way the CLI builds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { noneProvider, providerFromSpec, type LlmProvider } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from '@hermit/llm/testing'
import { formatReport, verify, type Judgement, type Report, type Verdict, type VerifyOptions } from './index.ts'
import { deployTestbed, type Testbed } from './testing/index.ts'

const MODEL = 'scripted-judge'
const net = useDevnet()
let bed: Testbed
let server: ScriptedModelServer
/** The URL of a server that was closed: nothing listens there. */
let deadUrl: string

beforeAll(async () => {
  bed = await deployTestbed(net())
  server = await startScriptedModelServer({ models: [MODEL] })
  const dead = await startScriptedModelServer()
  deadUrl = dead.url
  await dead.close()
})
afterAll(() => server?.close())

const specs: Array<[string, (model: string, url: string) => LlmProvider]> = [
  ['ollama', (model, url) => providerFromSpec(`ollama:${model}`, { ollamaHost: url })],
  ['openai-compatible', (model, url) => providerFromSpec(`openai:${model}`, { openAiBaseUrl: url })],
]

/** A schema-valid judgement saying `matchesIntent` and `verdict`. */
const says = (j: Pick<Judgement, 'matchesIntent' | 'verdict'> & Partial<Judgement>): ScriptedReply => ({
  content: JSON.stringify({ concerns: [], summary: 'Scripted judgement.', ...j }),
})

/**
 * Test-bed requests by their deterministic verdict: a benign swap the user asked for (allow), a
 * batch that moves the user's dUSD to an unknown account, checked without the user's words (warn),
 * and an unlimited approval to a plain account (block).
 */
const requests: Record<Verdict, () => { scenario: string; withIntent: boolean }> = {
  allow: () => ({ scenario: 'benign-swap', withIntent: true }),
  warn: () => ({ scenario: 'multicall-drainer', withIntent: false }),
  block: () => ({ scenario: 'approval-drainer', withIntent: true }),
}

async function check(deterministic: Verdict, options: VerifyOptions): Promise<Report> {
  const { scenario, withIntent } = requests[deterministic]()
  const s = bed.scenarios[scenario]!
  const report = await verify(s.request, {
    client: net().publicClient,
    policy: bed.policy,
    origin: s.origin,
    ...(withIntent && s.intent ? { intent: s.intent } : {}),
    // these tests are about the judgement: the words are read by the parser alone (a model's reading
    // of them is tested in testbed.test.ts and @hermit/intent)
    intentProvider: noneProvider,
    ...options,
  })
  // the premise of every test: the rules alone give `deterministic`
  expect(report.deterministicVerdict, formatReport(report)).toBe(deterministic)
  return report
}

for (const [kind, providerFor] of specs) {
  const provider = () => providerFor(MODEL, server.url)

  describe(`the model may only raise the verdict (${kind})`, () => {
    it('a model answering matchesIntent "no" with verdict "allow" raises an allow to warn', async () => {
      server.script([says({ matchesIntent: 'no', verdict: 'allow', concerns: ['the user did not ask for this'] })])
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('warn')
      expect(report.deterministicVerdict).toBe('allow')
      expect(report.model).toMatchObject({
        consulted: true,
        raised: true,
        judgement: { matchesIntent: 'no', verdict: 'allow', concerns: ['the user did not ask for this'] },
      })
    })

    it('a model answering matchesIntent "no" with verdict "block" raises an allow to block, not only to warn', async () => {
      server.script([says({ matchesIntent: 'no', verdict: 'block' })])
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.model).toMatchObject({ consulted: true, raised: true })
    })

    it('a model answering matchesIntent "yes" with verdict "allow" on an allow keeps allow and does not count as raised', async () => {
      server.script([says({ matchesIntent: 'yes', verdict: 'allow' })])
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('allow')
      expect(report.model).toMatchObject({ consulted: true, raised: false })
    })

    it('a model answering "allow" (matchesIntent "yes") cannot lower a warn', async () => {
      server.script([says({ matchesIntent: 'yes', verdict: 'allow', summary: 'Looks safe.' })])
      const report = await check('warn', { provider: provider() })
      expect(report.verdict).toBe('warn')
      expect(report.model).toMatchObject({ consulted: true, raised: false, judgement: { verdict: 'allow' } })
    })

    it('a model answering "allow" (matchesIntent "yes") cannot lower a block', async () => {
      server.script([says({ matchesIntent: 'yes', verdict: 'allow', summary: 'Looks safe.' })])
      const report = await check('block', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.model).toMatchObject({ consulted: true, raised: false, judgement: { verdict: 'allow' } })
    })

    it('a model answering "warn" cannot lower a block', async () => {
      server.script([says({ matchesIntent: 'unclear', verdict: 'warn' })])
      const report = await check('block', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.model).toMatchObject({ consulted: true, raised: false })
    })

    it('a model answering "block" raises an allow to block and is obeyed', async () => {
      server.script([says({ matchesIntent: 'yes', verdict: 'block', concerns: ['the router is new'] })])
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.deterministicVerdict).toBe('allow')
      expect(report.model).toMatchObject({
        consulted: true,
        raised: true,
        judgement: { concerns: ['the router is new'] },
      })
    })

    it('a model answering "warn" raises an allow to warn and is obeyed', async () => {
      server.script([says({ matchesIntent: 'yes', verdict: 'warn' })])
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('warn')
      expect(report.model).toMatchObject({ consulted: true, raised: true })
    })

    it('a model answering "block" raises a warn to block and is obeyed', async () => {
      server.script([says({ matchesIntent: 'unclear', verdict: 'block' })])
      const report = await check('warn', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.model).toMatchObject({ consulted: true, raised: true })
    })

    it('a slow model that answers within modelTimeoutMs is obeyed', async () => {
      server.script([{ ...says({ matchesIntent: 'yes', verdict: 'block' }), delayMs: 300 }])
      const t0 = performance.now()
      const report = await check('allow', { provider: provider(), modelTimeoutMs: 10_000 })
      expect(performance.now() - t0).toBeGreaterThanOrEqual(300)
      expect(report.verdict).toBe('block')
      expect(report.model).toMatchObject({ consulted: true, raised: true })
    })
  })

  describe(`a model that fails changes nothing, and the report says why (${kind})`, () => {
    it('a model whose every answer is not JSON changes nothing; the report says it gave no valid answer', async () => {
      server.script(() => ({ content: 'I would block this one.' }))
      const before = server.requests.length
      const report = await check('warn', { provider: provider() })
      expect(report.verdict).toBe('warn')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(
          /failed: .*no valid answer after 3 attempts: not JSON.*deterministic verdict kept/,
        ),
      })
      // it was asked, and asked again with the problem, before giving up
      expect(server.requests.length - before).toBe(3)
    })

    it('a model whose JSON fails the schema changes nothing, even when it says "block"; the report names the field', async () => {
      server.script(() => ({
        content: JSON.stringify({ matchesIntent: 'no', verdict: 'block', concerns: 'all of it' }),
      }))
      const report = await check('allow', { provider: provider() })
      expect(report.verdict).toBe('allow')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(
          /failed: .*no valid answer after 3 attempts: field concerns: .*deterministic verdict kept/,
        ),
      })
    })

    it('a model whose JSON fails the schema changes nothing, even when it says "allow" on a block', async () => {
      server.script(() => ({ content: JSON.stringify({ matchesIntent: 'yes', verdict: 'allow' }) }))
      const report = await check('block', { provider: provider() })
      expect(report.verdict).toBe('block')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/no valid answer after 3 attempts: field .*deterministic verdict kept/),
      })
    })

    it('a model server answering 500 changes nothing; the report gives the status and the error', async () => {
      server.script([{ status: 500, error: 'scripted boom' }])
      const report = await check('warn', { provider: provider() })
      expect(report.verdict).toBe('warn')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/failed: .*answered 500.*scripted boom.*deterministic verdict kept/),
      })
    })

    it('a model that is not on the server (404) changes nothing; the report says so', async () => {
      const report = await check('warn', { provider: providerFor('not-pulled', server.url) })
      expect(report.verdict).toBe('warn')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/\(.*not-pulled\) failed: .*answered 404.*deterministic verdict kept/),
      })
    })

    it('an unreachable model server changes nothing; the report says it cannot be reached', async () => {
      const report = await check('warn', { provider: providerFor(MODEL, deadUrl) })
      expect(report.verdict).toBe('warn')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/failed: Cannot reach .*deterministic verdict kept/),
      })
    })

    it('a model slower than modelTimeoutMs changes nothing, even if its late answer says "block"; the report says it timed out', async () => {
      server.script([{ ...says({ matchesIntent: 'no', verdict: 'block' }), delayMs: 5_000 }])
      const t0 = performance.now()
      const report = await check('allow', { provider: provider(), modelTimeoutMs: 300 })
      expect(report.verdict).toBe('allow')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/failed: .*did not answer in time.*deterministic verdict kept/),
      })
      // verify gave up at the timeout, not when the answer came
      expect(performance.now() - t0).toBeLessThan(4_000)
    })

    it('a model that never answers changes nothing once modelTimeoutMs has passed', { timeout: 10_000 }, async () => {
      server.script([{ hang: true }])
      const report = await check('warn', { provider: provider(), modelTimeoutMs: 300 })
      expect(report.verdict).toBe('warn')
      expect(report.model).toEqual({
        consulted: false,
        reason: expect.stringMatching(/did not answer in time.*deterministic verdict kept/),
      })
    })
  })
}
