// The bench's own promises: a filter that matches no file is an error and writes nothing, a quick run
// writes nothing, sections are stamped, a filtered run keeps the others, and a section whose code
// changed after it was measured is marked stale (saying by which commit or uncommitted change).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { summarize } from './lib.ts'
import { fingerprint, stampFor, staleness, type Section, type Stored } from './stamp.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
/** Stamps and staleness are read from git: these checks need a checkout with the history of MEASURED. */
const withHistory = (() => {
  try {
    git('rev-parse', '--verify', `${git('log', '-1', '--format=%H', '--', 'packages/errors/src/index.ts')}^`)
    return true
  } catch {
    return false
  }
})()

/** A file of the repository that is committed and not being edited, and the commit before its last change. */
const MEASURED = 'packages/errors/src/index.ts'
const lastChange = () => git('log', '-1', '--format=%H', '--', MEASURED)

/**
 * A bench folder with stand-ins for two real bench files (their names, so their stamps name real
 * paths), each answering one figure at once: the median comes from FAKE_MEDIAN.
 */
function benchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermit-bench-'))
  for (const [file, title] of [
    ['devnet.bench.ts', 'Devnet'],
    ['txguard.bench.ts', 'Txguard'],
  ] as const)
    writeFileSync(
      join(dir, file),
      `export const bench = { title: '${title}', measures: ['${MEASURED}'], run: async () => ` +
        `[{ name: '${title} figure', unit: 'ms', median: Number(process.env.FAKE_MEDIAN), p95: 9, n: 3 }] }\n`,
    )
  return dir
}

type Run = { code: number | null; stdout: string; stderr: string }
/** bench/run.ts as `pnpm bench` starts it, over the bench folder `dir`. */
function bench(dir: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/run.ts'), ...args], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: '', FAKE_MEDIAN: '1', ...env, HERMIT_BENCH_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8')
/** The part of bench/README.md under the heading of `title`. */
const sectionOf = (md: string, title: string) => md.split('\n## ').find((s) => s.startsWith(title)) ?? ''

describe('pnpm bench (bench/run.ts)', () => {
  it('a filter that matches no bench file is an error (status 2): nothing runs, results.json and README.md stay as they were', async () => {
    const dir = benchDir()
    writeFileSync(join(dir, 'results.json'), '{"results":[]}\n')
    writeFileSync(join(dir, 'README.md'), '# stored\n')
    const r = await bench(dir, ['devnet', 'nosuchbench'])
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/no bench file matches "nosuchbench"/)
    expect(r.stdout).not.toMatch(/running/)
    expect(read(dir, 'results.json')).toBe('{"results":[]}\n')
    expect(read(dir, 'README.md')).toBe('# stored\n')
  }, 60_000)

  it('BENCH_QUICK=1 runs and prints the figures but writes no file', async () => {
    const dir = benchDir()
    const r = await bench(dir, ['devnet'], { BENCH_QUICK: '1' })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Devnet figure: median 1 ms/)
    expect(existsSync(join(dir, 'results.json'))).toBe(false)
    expect(existsSync(join(dir, 'README.md'))).toBe(false)
  }, 60_000)

  it.skipIf(!withHistory)(
    'stamps each section with its commit and date; a filtered run keeps the other sections, and one whose code changed after it was measured is marked stale',
    async () => {
      const dir = benchDir()
      const first = await bench(dir, [])
      expect(first.code, first.stderr).toBe(0)
      const stored = JSON.parse(read(dir, 'results.json')) as Stored
      expect(stored.sections?.map((s) => [s.file, s.commit, s.paths])).toEqual([
        ['devnet.bench.ts', git('rev-parse', 'HEAD'), ['bench/devnet.bench.ts', 'bench/lib.ts', MEASURED]],
        ['txguard.bench.ts', git('rev-parse', 'HEAD'), ['bench/txguard.bench.ts', 'bench/lib.ts', MEASURED]],
      ])
      expect(read(dir, 'README.md')).toMatch(/Measured \d{4}-\d\d-\d\d \d\d:\d\d UTC at commit `[0-9a-f]{10}`/)
      expect(read(dir, 'README.md')).not.toMatch(/Stale/)

      // the devnet figures as if measured before the last change to the code they measure
      const before = git('rev-parse', `${lastChange()}^`)
      const devnet = stored.sections!.find((s) => s.file === 'devnet.bench.ts')!
      Object.assign(devnet, { commit: before, fingerprint: 'measured-on-older-code', uncommitted: [] })
      writeFileSync(join(dir, 'results.json'), JSON.stringify(stored))

      const second = await bench(dir, ['txguard'], { FAKE_MEDIAN: '7' })
      expect(second.code, second.stderr).toBe(0)
      const after = JSON.parse(read(dir, 'results.json')) as Stored
      expect(after.results.map((r) => [r.file, r.median])).toEqual([
        ['devnet.bench.ts', 1],
        ['txguard.bench.ts', 7],
      ])
      const md = read(dir, 'README.md')
      expect(sectionOf(md, 'Devnet')).toMatch(
        new RegExp(`> \\*\\*Stale:\\*\\* the code it measures changed after it was measured \\(.*\`${MEASURED}\``),
      )
      // the commits since then that changed those files are named (the latest one first)
      expect(sectionOf(md, 'Devnet')).toMatch(
        /: (commit [0-9a-f]{7,} \(".*"\)|\d+ commits since the measured one) changed it/,
      )
      expect(sectionOf(md, 'Txguard')).not.toMatch(/Stale/)
    },
    90_000,
  )
})

describe('stamps and staleness (bench/stamp.ts)', () => {
  it.skipIf(!withHistory)(
    'a section stamped now is current; one measured before a commit that changed its code names that commit',
    () => {
      expect(git('status', '--porcelain', '--', MEASURED)).toBe('') // the check below relies on it
      const now: Section = {
        file: 'devnet.bench.ts',
        title: 'Devnet',
        stamp: stampFor('devnet.bench.ts', [MEASURED]),
        results: [],
      }
      expect(staleness(now)).toBeNull()
      const change = lastChange()
      const old: Section = {
        ...now,
        stamp: { ...now.stamp!, commit: git('rev-parse', `${change}^`), paths: [MEASURED], fingerprint: 'older' },
      }
      const why = staleness(old)
      expect(why).toMatch(new RegExp(`^the code it measures changed after it was measured \\(\`${MEASURED}\`\\)`))
      expect(why).toContain(git('log', '-1', '--format=%h', change))
      expect(staleness({ file: now.file, title: now.title, results: [] })).toMatch(/before sections were stamped/)
    },
  )

  it.skipIf(!withHistory)(
    'an uncommitted change counts: a file edited after it was measured makes its section stale, naming the change',
    () => {
      const rel = `bench/.stamp-test-${process.pid}.txt`
      const file = join(root, rel)
      writeFileSync(file, 'measured\n')
      try {
        const section: Section = { file: 'lib.ts', title: 't', stamp: stampFor('lib.ts', [rel]), results: [] }
        expect(section.stamp!.uncommitted.map((u) => u.path)).toContain(rel)
        expect(staleness(section)).toBeNull()
        writeFileSync(file, 'edited after the run\n')
        expect(fingerprint(section.stamp!.paths)).not.toBe(section.stamp!.fingerprint)
        expect(staleness(section)).toMatch(new RegExp(`uncommitted changes to \`${rel.replace(/\./g, '\\.')}\``))
      } finally {
        rmSync(file, { force: true })
      }
    },
  )

  it('medians and p95s are over individual samples', () => {
    const samples = [5, 1, 4, 2, 3, 100, 6, 7, 8, 9]
    expect(summarize('x', 'ms', samples)).toMatchObject({ median: 5.5, p95: 59.05, n: 10 })
  })
})
