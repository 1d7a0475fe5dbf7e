/**
 * The project's one test command (`pnpm test`, also what `.ci/run` calls):
 *   0. format            — biome (print width 120) has nothing to change; no source line over 160
 *   1. forge test        — builds contracts/ offline and runs the Solidity unit, fuzz and invariant tests
 *   2. bindings check    — generated @hermit/contracts must match the fresh forge artifacts
 *   3. typecheck         — tsc, strict, over every package, script, example and test
 *   4. vitest            — TypeScript behaviour against real Anvil devnets
 * Every step runs even when an earlier one fails; the last line sums the tests.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const bin = (name: string) => join(root, 'node_modules/.bin', name)
const passThrough = process.argv.slice(2) // extra args go to vitest (e.g. a file filter)

type Step = {
  name: string
  cmd: string
  args: string[]
  cwd?: string
  count?: (output: string) => { passed: number; failed: number }
}

const vitestJson = join(mkdtempSync(join(tmpdir(), 'hermit-test-')), 'vitest.json')

const steps: Step[] = [
  {
    name: 'format (biome, width 120; no line over 160)',
    cmd: process.execPath,
    args: ['--import', 'tsx', join(root, 'scripts/check-format.ts')],
  },
  {
    name: 'forge test (contracts, fuzz, invariants)',
    cmd: bin('forge'),
    args: ['test'],
    cwd: join(root, 'contracts'),
    count: (out) => {
      const m = /(\d+) tests passed, (\d+) failed/.exec(out)
      return m ? { passed: Number(m[1]), failed: Number(m[2]) } : { passed: 0, failed: 1 }
    },
  },
  {
    name: 'generated contract bindings are current',
    cmd: process.execPath,
    args: ['--import', 'tsx', join(root, 'scripts/gen-contracts.ts'), '--check'],
  },
  { name: 'typecheck (tsc --strict)', cmd: bin('tsc'), args: ['-p', join(root, 'tsconfig.json')] },
  {
    name: 'vitest (TypeScript against real Anvil)',
    cmd: bin('vitest'),
    args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...passThrough],
    count: () => {
      try {
        const r = JSON.parse(readFileSync(vitestJson, 'utf8')) as { numPassedTests: number; numFailedTests: number }
        return { passed: r.numPassedTests, failed: r.numFailedTests }
      } catch {
        return { passed: 0, failed: 1 }
      }
    },
  },
]

function run(step: Step): Promise<{ code: number; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(step.cmd, step.args, {
      cwd: step.cwd ?? root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.stdout.isTTY ? process.env : { ...process.env, NO_COLOR: '1' },
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => {
      output += c
      process.stdout.write(c)
    })
    child.stderr.on('data', (c: Buffer) => {
      output += c
      process.stderr.write(c)
    })
    child.on('error', (e) => resolveRun({ code: 127, output: String(e) }))
    child.on('close', (code) => resolveRun({ code: code ?? 1, output }))
  })
}

let passed = 0
let failed = 0
const failedSteps: string[] = []
for (const step of steps) {
  const t0 = performance.now()
  console.log(`\n=== ${step.name} ===`)
  const { code, output } = await run(step)
  const seconds = ((performance.now() - t0) / 1000).toFixed(1)
  if (step.count) {
    const c = step.count(output)
    passed += c.passed
    failed += c.failed
  } else if (code === 0) passed += 1
  else failed += 1
  if (code !== 0) failedSteps.push(step.name)
  console.log(`=== ${step.name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds}s ===`)
}
if (failedSteps.length > 0) console.log(`\nfailed steps: ${failedSteps.join('; ')}`)
console.log(`\ntests: ${passed} passed, ${failed} failed`)
process.exit(failedSteps.length > 0 ? 1 : 0)
