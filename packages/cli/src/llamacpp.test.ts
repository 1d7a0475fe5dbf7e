// `hermit verify --model llamacpp:<file.gguf>`: a real GGUF (the noise fixture) run in-process
// by the CLI, against a real devnet. The fixture's judgement is noise; what must hold is the rest.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { writeFixtureModel } from '@hermit/llamacpp/testing'
import { deployTestbed, type Testbed } from '@hermit/txguard/testing'
import { ExitCode } from './exit.ts'
import { runHermit } from './testing/index.ts'

const dir = mkdtempSync(join(tmpdir(), 'hermit-llamacpp-cli-'))
const fixture = writeFixtureModel(dir)
const net = useDevnet()
let bed: Testbed
let policyFile: string

const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x))
const RANK = { allow: 0, warn: 1, block: 2 } as const

beforeAll(async () => {
  bed = await deployTestbed(net())
  policyFile = join(dir, 'policy.json')
  writeFileSync(policyFile, json(bed.policy))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('hermit verify with an embedded GGUF model', () => {
  it('--model llamacpp:<fixture.gguf> consults the model in-process, names it, and the deterministic floor holds', async () => {
    const drainer = join(dir, 'drainer.json')
    writeFileSync(drainer, json(bed.scenarios['approval-drainer']!.request))
    const args = ['verify', '--rpc', net().rpcUrl, '--intent', 'claim my reward', '--policy', policyFile, '--json']
    const r = await runHermit([...args, '--model', `llamacpp:${fixture.path}`, drainer])
    expect(r.code, r.stderr + r.stdout).toBe(ExitCode.block)
    const report = JSON.parse(r.stdout)
    // the grammar makes the noise a well-formed judgement, so the model was really consulted
    expect(report.model).toMatchObject({ consulted: true, provider: `llamacpp:${fixture.path}`, model: fixture.path })
    expect(['allow', 'warn', 'block']).toContain(report.model.judgement.verdict)
    expect(report.verdict).toBe('block')
    expect(RANK[report.verdict as keyof typeof RANK]).toBeGreaterThanOrEqual(
      RANK[report.deterministicVerdict as keyof typeof RANK],
    )

    // HERMIT_MODEL selects it too, and the human report names the model
    const swap = join(dir, 'swap.json')
    writeFileSync(swap, json(bed.scenarios['benign-swap']!.request))
    const human = await runHermit(['verify', '--rpc', net().rpcUrl, '--policy', policyFile, swap], {
      env: { HERMIT_MODEL: `llamacpp:${fixture.path}` },
    })
    expect([ExitCode.ok, ExitCode.warn, ExitCode.block], human.stderr).toContain(human.code)
    expect(human.stdout).toContain(fixture.path)
  }, 240_000)

  it('a missing or non-GGUF model file is a usage or data error before any fork starts', async () => {
    const request = join(dir, 'swap2.json')
    writeFileSync(request, json(bed.scenarios['benign-swap']!.request))
    const missing = await runHermit(['verify', '--rpc', net().rpcUrl, '--model', `llamacpp:${dir}/nope.gguf`, request])
    expect(missing.code).toBe(ExitCode.usage)
    expect(missing.stderr).toMatch(/No model file/)
    expect(missing.stderr).not.toMatch(/forking/)
    const text = join(dir, 'notes.gguf')
    writeFileSync(text, 'not weights')
    const notGguf = await runHermit(['verify', '--rpc', net().rpcUrl, '--model', `llamacpp:${text}`, request])
    expect(notGguf.code).toBe(ExitCode.dataError)
    expect(notGguf.stderr).toMatch(/not a GGUF model file/)
    expect(notGguf.stderr).not.toMatch(/forking/)
  })
})
