/**
 * `pnpm bench`: runs every bench/*.bench.ts (not part of the tests), writes bench/results.json
 * and the tables in bench/README.md. `pnpm bench devnet zkpay` runs only the files whose name
 * contains one of the words; a word that matches no file is an error (nothing runs, nothing is
 * written). A filtered run keeps the stored figures and stamps of the files it did not run.
 *
 * Each section (one file's results) is stamped with the commit, the date and a fingerprint of the
 * code it measures (the file's `measures` paths, the bench file and bench/lib.ts: git blob hashes
 * of the working tree, so uncommitted changes count; see stamp.ts). When README.md is written, a
 * section whose code no longer has that fingerprint is marked stale, naming the files that differ
 * from what was measured, the commits since the measured one that changed them, and those changed
 * but not committed.
 *
 * BENCH_QUICK=1 cuts iterations (see lib.ts) and only prints: a quick run never writes a file.
 * HERMIT_BENCH_DIR runs the bench files of another folder and writes its results there (the tests
 * of this script use a temporary one, so they never touch the stored results).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { QUICK, type BenchFile, type BenchResult } from './lib.ts'
import { machine, stampFor, staleness, type Section, type Stamp, type Stored } from './stamp.ts'

const here = process.env.HERMIT_BENCH_DIR
  ? resolve(process.env.HERMIT_BENCH_DIR)
  : fileURLToPath(new URL('.', import.meta.url))
const SCHEMA = 'hermit-bench/v2'

// ---- which files to run
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort()
const filter = process.argv.slice(2)
const unmatched = filter.filter((x) => !available.some((f) => f.includes(x)))
if (available.length === 0 || unmatched.length > 0) {
  const what = unmatched.map((x) => `"${x}"`).join(', ')
  console.error(
    available.length === 0
      ? 'bench: there is no bench/*.bench.ts file.'
      : `bench: no bench file matches ${what}. The bench files are: ${available.join(', ')}. ` +
          'Nothing was run and bench/results.json and bench/README.md are unchanged.',
  )
  process.exit(2)
}
const files = available.filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))

// ---- the previous results (v1 or v2)
const resultsPath = join(here, 'results.json')
const readmePath = join(here, 'README.md')
const previous: Stored = existsSync(resultsPath)
  ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Stored)
  : { results: [] }
const stored = new Map<string, Section>()
for (const r of previous.results) {
  const { file, section, ...rest } = r
  const entry = stored.get(file) ?? { file, title: section ?? file, results: [] }
  entry.results.push(rest)
  stored.set(file, entry)
}
for (const s of previous.sections ?? []) {
  const entry = stored.get(s.file)
  if (!entry) continue
  const { file: _f, title, ...stamp } = s
  entry.title = title
  if (stamp.measuredAt && stamp.paths && stamp.machine)
    entry.stamp = {
      measuredAt: stamp.measuredAt,
      commit: stamp.commit ?? null,
      paths: stamp.paths,
      fingerprint: stamp.fingerprint ?? null,
      // an entry without its blob (a plain path) counts as changed
      uncommitted: (stamp.uncommitted ?? []).map((u) => (typeof u === 'string' ? { path: u, blob: 'unknown' } : u)),
      machine: stamp.machine,
    }
}

// ---- run
if (QUICK) console.log('BENCH_QUICK=1: fewer iterations; the figures are printed, and no file is written')
const ran = new Map<string, Section>()
const failed: string[] = []
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { bench: BenchFile }
  console.log(`running ${file} …`)
  try {
    const stamp = stampFor(file, mod.bench.measures)
    const results = await mod.bench.run()
    for (const r of results) {
      const base = r.baseline ? `; baseline ${r.baseline.median} (${r.baseline.name})` : ''
      console.log(`  ${r.name}: median ${r.median} ${r.unit}, p95 ${r.p95} (n=${r.n})${base}`)
      if (r.note) console.log(`    ${r.note}`)
    }
    ran.set(file, { file, title: mod.bench.title, stamp, results })
  } catch (error) {
    failed.push(file)
    console.error(`${file} failed; its stored figures are kept:`, error)
  }
}
if (QUICK) {
  console.log('BENCH_QUICK=1: bench/results.json and bench/README.md not written')
  process.exit(failed.length > 0 ? 1 : 0)
}

for (const f of stored.keys())
  if (!available.includes(f)) console.log(`dropping the stored section of ${f}: the bench file is gone`)
const sections = available
  .map((f) => ran.get(f) ?? stored.get(f))
  .filter((s): s is Section => s !== undefined && s.results.length > 0)
const generatedAt = new Date().toISOString()
const out = {
  schema: SCHEMA,
  generatedAt,
  machine,
  sections: sections.map((s) => ({ file: s.file, title: s.title, ...(s.stamp ?? {}) })),
  results: sections.flatMap((s) => s.results.map((r) => ({ file: s.file, section: s.title, ...r }))),
}
writeFileSync(resultsPath, `${JSON.stringify(out, null, 2)}\n`)

// ---- README.md
const cell = (r: BenchResult) => (r.baseline ? `${r.baseline.median} (${r.baseline.name})` : '')
const commitOf = (st: Stamp) => (st.commit ? `commit \`${st.commit.slice(0, 10)}\`` : 'no git commit')
let md =
  '# Benchmarks\n\nWritten by `pnpm bench` (bench/run.ts). Machine-readable figures: [results.json](./results.json). ' +
  'Not part of the tests.\n\nEach section says the commit it was measured at and when. It is marked **stale** when ' +
  'the code it measures (the paths listed under it, the bench file and bench/lib.ts) changed after that: ' +
  'rerun it with `pnpm bench <name>`.\n'
let staleCount = 0
for (const s of sections) {
  md += `\n## ${s.title} (\`${s.file}\`)\n\n`
  const st = s.stamp
  if (st) {
    const m = st.machine
    md +=
      `Measured ${st.measuredAt.slice(0, 16).replace('T', ' ')} UTC at ${commitOf(st)}` +
      (st.uncommitted.length > 0 ? ` plus uncommitted changes to ${st.uncommitted.length} of its files` : '') +
      `, on ${m.cpus} × ${m.cpu}, Node ${m.node}. Code measured: ` +
      `${st.paths.map((p) => `\`${p}\``).join(', ')}.\n`
  } else md += 'Measured before sections were stamped (no commit, no date).\n'
  const stale = staleness(s)
  if (stale) {
    staleCount++
    md += `\n> **Stale:** ${stale}.\n`
  }
  md += '\n| measure | unit | median | p95 | n | baseline median (same run) |\n|---|---|---:|---:|---:|---|\n'
  for (const r of s.results) md += `| ${r.name} | ${r.unit} | ${r.median} | ${r.p95} | ${r.n} | ${cell(r)} |\n`
  const notes = s.results.filter((r) => r.note)
  if (notes.length > 0) {
    md += '\nNotes:\n\n'
    for (const r of notes) md += `- ${r.name}: ${r.note}\n`
  }
}
writeFileSync(readmePath, md)
console.log(
  `wrote bench/results.json and bench/README.md (${out.results.length} figures in ${sections.length} sections; ` +
    `ran ${ran.size}, kept ${sections.length - ran.size}; ${staleCount} stale)`,
)
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exit(1)
}
