/**
 * `pnpm test`'s format step: biome's formatter must have nothing to change (print width 120), and
 * no source line may be over 160 characters (biome cannot break a long string or comment).
 * Generated bindings are exempt from both: gen-contracts writes them and checks them itself.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const MAX = 160
const SOURCE = /\.(ts|mjs|js|sol)$/
const EXEMPT = /^(packages\/contracts\/src\/generated\/|contracts\/src\/zk\/)/ // generated: bindings, snarkjs verifiers

const biome = spawnSync(join(root, 'node_modules/.bin/biome'), ['format', '.'], { cwd: root, encoding: 'utf8' })
if (biome.status !== 0) {
  process.stdout.write(biome.stdout)
  process.stderr.write(biome.stderr)
  console.error('\nSome files are not formatted: run `node_modules/.bin/biome format --write .`')
}

// tracked and untracked-but-not-ignored files: what a commit would hold
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => SOURCE.test(f) && !EXEMPT.test(f))
const long: string[] = []
for (const file of files) {
  let text: string
  try {
    text = readFileSync(join(root, file), 'utf8')
  } catch {
    continue // deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    if (line.length > MAX) long.push(`${file}:${i + 1}: ${line.length} characters`)
  })
}
if (long.length > 0) console.error(`Lines over ${MAX} characters:\n  ${long.join('\n  ')}`)
const ok = biome.status === 0 && long.length === 0
console.log(ok ? `formatted, no line over ${MAX} characters (${files.length} files)` : 'format check failed')
process.exit(ok ? 0 : 1)
