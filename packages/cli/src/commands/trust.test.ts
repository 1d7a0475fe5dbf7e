import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { startScriptedModelServer, type ScriptedModelServer } from '@hermit/llm/testing'
import { deployTrustShapes, type TrustShapes } from '@hermit/trust/testing'
import { ExitCode } from '../exit.ts'
import { runHermit } from '../testing/index.ts'

const net = useDevnet()
let s: TrustShapes
let model: ScriptedModelServer
beforeAll(async () => {
  s = await deployTrustShapes(net())
  model = await startScriptedModelServer({ models: ['scripted-trust'] })
}, 60_000)
afterAll(() => model?.close())

const hermit = (args: string[], env: Record<string, string> = {}) =>
  runHermit(['trust', ...args, '--rpc', net().rpcUrl], { env: { HERMIT_MODEL: '', ...env } })

describe('hermit trust', () => {
  it('prints the table and the headline for a UUPS proxy one EOA owns', async () => {
    const run = await hermit([s.uupsEoa])
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    expect(run.stdout).toContain('Kind       EIP-1967 UUPS proxy')
    expect(run.stdout).toMatch(
      /upgrade, pause, mint, blacklist, set-fees, move-funds, change-owner {2}owner\(\) {2}EOA 0x7099…79C8/,
    )
    expect(run.stdout.trim().split('\n').at(-1)).toBe(
      'One EOA (0x7099…79C8) can upgrade this contract with no delay: anything you approve to it can be taken.',
    )
  })

  it('--json --model: the report for programs, with the concerns a (scripted) model adds; the facts stay as read', async () => {
    model.script([
      {
        content: JSON.stringify({ concerns: ['the timelock admin could shorten the delay'], explanation: 'Scripted.' }),
      },
    ])
    const run = await hermit([s.transparentTimelock, '--json', '--model', 'ollama:scripted-trust'], {
      OLLAMA_HOST: model.url,
    })
    expect(run.code, run.stderr).toBe(ExitCode.ok)
    const report = JSON.parse(run.stdout)
    expect(report.model).toEqual({
      consulted: true,
      model: 'scripted-trust',
      explanation: { concerns: ['the timelock admin could shorten the delay'], explanation: 'Scripted.' },
    })
    expect(report).toMatchObject({
      schema: 'hermit-trust/v1',
      proxy: { kind: 'eip1967-transparent' },
      instantSingleKeyUpgrade: false,
    })
    expect(report.shortest.upgrade).toMatchObject({ keys: 1, delaySeconds: '172800' })
    expect(report.summary).toContain('only after a 2 days delay')
    // what the model saw: the report, its strings quoted as untrusted
    expect(model.requests.at(-1)!.messages[1]!.content).toContain('"untrusted"')
  })
})
