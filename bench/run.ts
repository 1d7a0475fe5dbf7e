/**
 * `pnpm bench`: runs every bench/*.bench.ts (not part of the tests), writes bench/results.json
 * and the table in bench/README.md. `pnpm bench devnet` runs only files whose name matches.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { BenchFile, BenchResult } from './lib.ts'

const here = fileURLToPath(new URL('.', import.meta.url))
const filter = process.argv.slice(2)
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort()

const sections: Array<{ file: string; title: string; results: BenchResult[] }> = []
for (const file of files) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { bench: BenchFile }
  console.log(`running ${file} …`)
  const results = await mod.bench.run()
  for (const r of results) console.log(`  ${r.name}: median ${r.median} ${r.unit}, p95 ${r.p95} (n=${r.n})`)
  sections.push({ file, title: mod.bench.title, results })
}

// a filtered run keeps the figures of the files it did not run
type Stored = { results: Array<BenchResult & { file: string; section?: string }> }
const previous: Stored = existsSync(join(here, 'results.json'))
  ? (JSON.parse(readFileSync(join(here, 'results.json'), 'utf8')) as Stored)
  : { results: [] }
if (filter.length > 0) {
  const kept = new Map<string, { file: string; title: string; results: BenchResult[] }>()
  for (const r of previous.results) {
    if (sections.some((s) => s.file === r.file) || !files.length) continue
    const { file, section, ...rest } = r
    const entry = kept.get(file) ?? { file, title: section ?? file, results: [] }
    entry.results.push(rest)
    kept.set(file, entry)
  }
  sections.push(...kept.values())
  sections.sort((a, b) => a.file.localeCompare(b.file))
}

const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
}
const results = sections.flatMap((s) => s.results.map((r) => ({ file: s.file, section: s.title, ...r })))
writeFileSync(
  join(here, 'results.json'),
  `${JSON.stringify({ generatedAt: new Date().toISOString(), machine, results }, null, 2)}\n`,
)

const cell = (r: BenchResult) => (r.baseline ? `${r.baseline.median} (${r.baseline.name})` : '')
let md =
  `# Benchmarks\n\nWritten by \`pnpm bench\` (bench/run.ts) on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, ` +
  `${new Date().toISOString().slice(0, 10)}.\nMachine-readable figures: [results.json](./results.json). Not part of the tests.\n`
for (const s of sections) {
  md += `\n## ${s.title} (\`${s.file}\`)\n\n| measure | unit | median | p95 | n | baseline median (same run) |\n|---|---|---:|---:|---:|---|\n`
  for (const r of s.results) md += `| ${r.name} | ${r.unit} | ${r.median} | ${r.p95} | ${r.n} | ${cell(r)} |\n`
}
writeFileSync(join(here, 'README.md'), md)
console.log(`wrote bench/results.json and bench/README.md (${results.length} figures)`)
