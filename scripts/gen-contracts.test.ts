import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { checkGenerated, isStale, renderGenerated, writeGenerated } from './gen-contracts.ts'

const script = fileURLToPath(new URL('./gen-contracts.ts', import.meta.url))

function artifact(name: string, abi: unknown[], bytecode = '0x6001', source = `src/${name}.sol`) {
  return {
    abi,
    bytecode: { object: bytecode },
    deployedBytecode: { object: bytecode },
    metadata: { settings: { compilationTarget: { [source]: name } } },
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
    expect([...files.keys()].sort()).toEqual(['Thing.ts', 'index.ts', 'testbed/index.ts'])
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

  it('exports the test bed (src/testbed) from its own index only', () => {
    mkdirSync(join(artifacts, 'Honeypot.sol'))
    const honeypot = artifact('Honeypot', [fn('h')], '0x6002', 'src/testbed/Honeypot.sol')
    writeFileSync(join(artifacts, 'Honeypot.sol/Honeypot.json'), JSON.stringify(honeypot))
    const files = renderGenerated(artifacts)
    expect([...files.keys()].sort()).toEqual(['Thing.ts', 'index.ts', 'testbed/Honeypot.ts', 'testbed/index.ts'])
    expect(files.get('index.ts')).toContain("export * from './Thing.ts'")
    expect(files.get('index.ts')).not.toContain('Honeypot')
    expect(files.get('testbed/index.ts')).toContain("export * from './Honeypot.ts'")
    expect(files.get('testbed/index.ts')).not.toContain('Thing')
    expect(files.get('testbed/Honeypot.ts')).toContain('// Source: contracts/src/testbed/Honeypot.sol')
    // a test-bed binding that goes stale (or missing) is caught like any other
    writeGenerated(artifacts, generated)
    expect(isStale(checkGenerated(artifacts, generated))).toBe(false)
    writeFileSync(join(artifacts, 'Honeypot.sol/Honeypot.json'), JSON.stringify({ ...honeypot, abi: [fn('h2')] }))
    expect(checkGenerated(artifacts, generated)).toEqual({ missing: [], changed: ['testbed/Honeypot.ts'], extra: [] })
    rmSync(join(generated, 'testbed/Honeypot.ts'))
    writeFileSync(join(generated, 'Honeypot.ts'), 'export {}\n') // e.g. left at the root by an older generator
    expect(checkGenerated(artifacts, generated)).toEqual({
      missing: ['testbed/Honeypot.ts'],
      changed: [],
      extra: ['Honeypot.ts'],
    })
  })

  it("reads only the artifacts of forge's last build when its cache is there", () => {
    // forge leaves the artifacts of a contract that moved to another file: they must not be generated
    mkdirSync(join(artifacts, 'Old.sol'))
    writeFileSync(
      join(artifacts, 'Old.sol/Gone.json'),
      JSON.stringify(artifact('Gone', [fn('g')], '0x6003', 'src/Old.sol')),
    )
    expect([...renderGenerated(artifacts).keys()]).toContain('Gone.ts')
    const cache = join(artifacts, '..', 'cache')
    mkdirSync(cache)
    const entry = (path: string) => ({ '0.8.30': { default: { path } } })
    writeFileSync(
      join(cache, 'solidity-files-cache.json'),
      JSON.stringify({
        files: {
          'src/Thing.sol': { artifacts: { Thing: entry('Thing.sol/Thing.json') } },
          'src/Old.sol': { artifacts: {} },
        },
      }),
    )
    expect([...renderGenerated(artifacts).keys()].sort()).toEqual(['Thing.ts', 'index.ts', 'testbed/index.ts'])
  })

  it('refuses two contracts of the same name instead of letting one overwrite the other', () => {
    mkdirSync(join(artifacts, 'Other.sol'))
    writeFileSync(
      join(artifacts, 'Other.sol/Thing.json'),
      JSON.stringify(artifact('Thing', [fn('b')], '0x6001', 'src/Other.sol')),
    )
    expect(() => renderGenerated(artifacts)).toThrow(/Two contracts named Thing/)
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
