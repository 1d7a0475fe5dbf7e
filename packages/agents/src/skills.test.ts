import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noneProvider, ollamaProvider } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer } from '@hermit/llm/testing'
import { summarizeSkill, summaryChecks, withModelReview, type Job } from './index.ts'
import { extractiveSummary } from './skills.ts'

const TEXT =
  'The escrow holds the budget until the evaluator decides. The provider locks a bond when the job is funded. ' +
  'A rejected job refunds the client and pays it the bond. Feedback is written by the job hook. The weather was nice.'
const job = {} as Job
const request = { v: 1 as const, skill: 'summarize', input: TEXT }
const bytes = (s: string) => new TextEncoder().encode(s)

let model: ScriptedModelServer
beforeAll(async () => {
  model = await startScriptedModelServer({ models: ['scripted-reviewer'] })
})
afterAll(() => model.close())

describe('the summarize skill and its checks', () => {
  it('an extractive summary keeps whole sentences of the text, in order, and passes the checks', async () => {
    const s = extractiveSummary(TEXT)
    expect(s.split(/(?<=\.) /)).toHaveLength(2)
    for (const sentence of s.split(/(?<=\.) /)) expect(TEXT).toContain(sentence)
    expect(await summarizeSkill(1n).handler({ kind: 'job', job, request, signal: AbortSignal.timeout(1000) })).toBe(s)
    expect(await summaryChecks({ job, request, deliverable: bytes(s) })).toMatchObject({ ok: true, score: 100 })
  })

  it('the checks refuse what is not a summary of this text', async () => {
    const check = (s: string | Uint8Array) =>
      summaryChecks({ job, request, deliverable: typeof s === 'string' ? bytes(s) : s })
    expect(await check('Lorem ipsum dolor sit amet, consectetur adipiscing elit.')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/come from the text/),
    })
    expect(await check('short')).toMatchObject({ ok: false, reason: 'too short to be a summary' })
    expect(await check(`${TEXT} More.`)).toMatchObject({ ok: false, reason: expect.stringMatching(/not shorter/) })
    expect(
      await check(
        new Uint8Array([
          0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41,
          0x41, 0x41,
        ]),
      ),
    ).toMatchObject({ ok: false, reason: 'not UTF-8 text' })
    expect(await check('The weather was nice. The weather was nice.')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/misses every key word/),
    })
  })
})

describe('withModelReview: the model may lower an evaluation, never raise it', () => {
  const reviewer = () => withModelReview(summaryChecks, ollamaProvider({ model: 'scripted-reviewer', host: model.url }))

  it('a model that finds the summary unacceptable fails it, and sees the text as untrusted data', async () => {
    model.script([{ content: JSON.stringify({ acceptable: false, score: 40, why: 'drops the bond rule' }) }])
    const v = await reviewer()({ job, request, deliverable: bytes(extractiveSummary(TEXT)) })
    expect(v).toMatchObject({ ok: false, reason: 'model: drops the bond rule', modelConsulted: true })
    expect(v.score).toBeLessThanOrEqual(20)
    const sent = model.requests
      .at(-1)!
      .messages.map((m) => m.content)
      .join('\n')
    expect(sent).toMatch(/untrusted/i)
  })

  it('a model that accepts can only lower the score', async () => {
    model.script([{ content: JSON.stringify({ acceptable: true, score: 70, why: 'fine but terse' }) }])
    expect(await reviewer()({ job, request, deliverable: bytes(extractiveSummary(TEXT)) })).toMatchObject({
      ok: true,
      score: 70,
      modelConsulted: true,
    })
    model.script([{ content: JSON.stringify({ acceptable: true, score: 100, why: 'perfect' }) }])
    const lorem = await reviewer()({
      job,
      request,
      deliverable: bytes('Lorem ipsum dolor sit amet, consectetur adipiscing elit.'),
    })
    expect(lorem).toMatchObject({ ok: false, modelConsulted: false }) // the checks failed: the model is not asked to clear it
  })

  it('with no model, the checks stand and the evaluation says no model was consulted', async () => {
    const v = await withModelReview(
      summaryChecks,
      noneProvider,
    )({ job, request, deliverable: bytes(extractiveSummary(TEXT)) })
    expect(v).toMatchObject({ ok: true, modelConsulted: false, modelNote: expect.stringMatching(/no model consulted/) })
  })
})
