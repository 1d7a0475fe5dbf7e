import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ArtifactsMismatchError, CIRCUITS_DIR, MANIFEST_NOTE, VERIFIER_FILES, checkArtifacts } from '../src/index.ts'

describe('committed artifacts', () => {
  it('match the circuit sources (otherwise: run `cd circuits && node --import tsx build.ts`)', () => {
    // checkArtifacts throws an ArtifactsMismatchError whose message lists every stale file
    // and says to run the build script.
    const manifest = checkArtifacts()
    expect(manifest.note).toBe(MANIFEST_NOTE)
    expect(Object.keys(manifest.sources)).toEqual([
      'credit.circom',
      'exit.circom',
      'lib/credit_leaf.circom',
      'lib/lean_imt_root.circom',
    ])
    expect(manifest.circuits.credit.publicSignals).toEqual(['y', 'nullifier', 'root', 'scope', 'x'])
    expect(manifest.circuits.exit.publicSignals).toEqual(['leaf', 'recipient', 'scope'])
  })
})

describe('checkArtifacts on a copy', () => {
  let root: string | undefined
  afterEach(() => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true })
  })

  /** tmp/circuits (sources + artifacts) and tmp/contracts/src/zk (verifiers), as in the repo. */
  function copy(): string {
    root = mkdtempSync(join(tmpdir(), 'hermit-circuits-'))
    const dir = join(root, 'circuits')
    for (const entry of ['credit.circom', 'exit.circom', 'lib', 'artifacts'])
      cpSync(join(CIRCUITS_DIR, entry), join(dir, entry), { recursive: true })
    for (const file of Object.values(VERIFIER_FILES)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      cpSync(join(CIRCUITS_DIR, file), join(dir, file))
    }
    return dir
  }

  const failure = (dir: string): ArtifactsMismatchError => {
    try {
      checkArtifacts({ circuitsDir: dir })
    } catch (error) {
      if (error instanceof ArtifactsMismatchError) return error
      throw error
    }
    throw new Error('checkArtifacts passed on a modified copy')
  }

  it('passes on an unmodified copy', () => {
    expect(() => checkArtifacts({ circuitsDir: copy() })).not.toThrow()
  })

  it('fails when a source changed, naming it and saying to run the build', () => {
    const dir = copy()
    appendFileSync(join(dir, 'lib', 'lean_imt_root.circom'), '\n// changed\n')
    const error = failure(dir)
    expect(error.code).toBe('CIRCUIT_ARTIFACTS_STALE')
    expect(error.message).toContain('lib/lean_imt_root.circom')
    expect(error.message).toContain('node --import tsx build.ts')
  })

  it('fails on a new source, a changed artifact or verifier, a missing artifact', () => {
    const dir = copy()
    writeFileSync(join(dir, 'lib', 'extra.circom'), 'pragma circom 2.1.5;\n')
    appendFileSync(join(dir, 'artifacts', 'credit.vkey.json'), ' ')
    appendFileSync(join(dir, VERIFIER_FILES.exit), '\n')
    rmSync(join(dir, 'artifacts', 'exit.wasm'))
    const { details } = failure(dir)
    expect(details.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('lib/extra.circom'),
        expect.stringContaining('artifacts/credit.vkey.json'),
        expect.stringContaining('ExitVerifier.sol'),
        expect.stringContaining('artifacts/exit.wasm is missing'),
      ]),
    )
  })

  it('fails without a manifest', () => {
    const dir = copy()
    rmSync(join(dir, 'artifacts', 'manifest.json'))
    expect(failure(dir).message).toContain('no manifest')
  })
})
