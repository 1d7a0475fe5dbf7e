import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { checkGenerated, isStale, renderGenerated, writeGenerated } from './gen-contracts.ts'

const script = fileURLToPath(new URL('./gen-contracts.ts', import.meta.url))

function artifact(name: string, abi: unknown[], bytecode = '0x6001') {
  return {
    abi,
    bytecode: { object: bytecode },
    deployedBytecode: { object: bytecode },
    metadata: { settings: { compilationTarget: { [`src/${name}.sol`]: name } } },
  }
}

describe('generated contract bindings', () => {
  let artifacts: string
  let generated: string
  const fn = (name: string) => ({ type: 'function', name, inputs: [], outputs: [], stateMutability: 'view' })

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), 'hermit-gen-'))
    artifacts = join(dir, 'out')
    generated = join(dir, 'generated')
    mkdirSync(join(artifacts, 'Thing.sol'), { recursive: true })
    mkdirSync(join(artifacts, 'Thing.t.sol'), { recursive: true })
    writeFileSync(join(artifacts, 'Thing.sol/Thing.json'), JSON.stringify(artifact('Thing', [fn('a')])))
    // test contracts are not part of the package
    const test = artifact('ThingTest', [fn('t')])
    test.metadata.settings.compilationTarget = { 'test/Thing.t.sol': 'ThingTest' } as never
    writeFileSync(join(artifacts, 'Thing.t.sol/ThingTest.json'), JSON.stringify(test))
  })

  it('renders `as const` ABIs and bytecode for src/ contracts only', () => {
    const files = renderGenerated(artifacts)
    expect([...files.keys()].sort()).toEqual(['Thing.ts', 'index.ts'])
    expect(files.get('Thing.ts')).toContain('export const thingAbi = [')
    expect(files.get('Thing.ts')).toContain('] as const')
    expect(files.get('Thing.ts')).toContain("export const thingBytecode = '0x6001' as const")
  })

  it('is fresh right after generation, stale after the ABI changes', () => {
    writeGenerated(artifacts, generated)
    expect(isStale(checkGenerated(artifacts, generated))).toBe(false)
    writeFileSync(join(artifacts, 'Thing.sol/Thing.json'), JSON.stringify(artifact('Thing', [fn('a'), fn('b')])))
    expect(checkGenerated(artifacts, generated)).toEqual({ missing: [], changed: ['Thing.ts'], extra: [] })
  })

  it('reports missing and leftover files', () => {
    writeGenerated(artifacts, generated)
    rmSync(join(generated, 'Thing.ts'))
    writeFileSync(join(generated, 'Gone.ts'), 'export {}\n')
    expect(checkGenerated(artifacts, generated)).toEqual({ missing: ['Thing.ts'], changed: [], extra: ['Gone.ts'] })
  })

  it('--check fails with a message that says how to regenerate', () => {
    writeGenerated(artifacts, generated)
    writeFileSync(join(generated, 'Thing.ts'), readFileSync(join(generated, 'Thing.ts'), 'utf8').replace('"a"', '"z"'))
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', script, '--check', '--artifacts', artifacts, '--generated', generated],
      { encoding: 'utf8' },
    )
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('changed: Thing.ts')
    expect(r.stderr).toContain('pnpm contracts:build && pnpm contracts:gen')
  })
})
