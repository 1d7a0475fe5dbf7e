// The README's newcomer walkthrough, run as a reader runs it: its shell blocks, taken from README.md
// between the newcomer markers, in one bash session with `pnpm` meaning `npx -y pnpm@10.34.9`. It runs
// in a temporary folder that links to this checkout (package.json, node_modules, packages, …), so the
// files it writes (.hermit/…) never land in the checkout, and pnpm runs the scripts in that folder.
// The README's fixed ports are replaced by free ones, so a devnet already on 8545 does not matter.
// The install and `pnpm demo` are covered by examples/demo.test.ts.
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const repo = fileURLToPath(new URL('../..', import.meta.url))
const readme = readFileSync(join(repo, 'README.md'), 'utf8')

/** The walkthrough's shell blocks, in the README's order. */
function walkthroughBlocks(markdown: string): string[] {
  const start = markdown.indexOf('<!-- newcomer:start -->')
  const end = markdown.indexOf('<!-- newcomer:end -->')
  if (start < 0 || end < start) throw new Error('README.md has no <!-- newcomer:start --> … <!-- newcomer:end -->')
  return [...markdown.slice(start, end).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
}

/** What each block must print (its output and its background servers' so far), in order. */
const steps: Array<{ name: string; prints: RegExp[]; never?: RegExp }> = [
  {
    name: 'devnet',
    prints: [/deployments written to .*\.hermit\/deployments\.json/, /running — press Ctrl-C to stop/],
  },
  { name: 'verify', prints: [/^BLOCK /m, /\[block\] approval\.to-eoa/, /^exit 2: blocked$/m] },
  {
    name: 'guard',
    prints: [/"error":\{"code":-32003,"message":"Hermit refused \(block\)/, /"result":"0x[0-9a-f]{64}"/],
  },
  { name: 'pay', prints: [/^pool 0x[0-9a-fA-F]{40}$/m, /deposited 10 tickets into 0x[0-9a-fA-F]{40}/] },
  {
    name: 'gateway and fetch',
    prints: [
      /a test double whose answers are scripted, not a model/,
      /gateway on http:\/\/127\.0\.0\.1:\d+ → http:\/\/127\.0\.0\.1:\d+/,
      /"content":"scripted answer to \\"hello\\""/,
      /\(HTTP 200, paid with ticket 0, 9 left\)/,
    ],
  },
  {
    name: 'agents and jobs',
    prints: [
      /^job #1 Completed: client 0x70997970C51812dc3A010C7d01b50e0d17dc79C8, provider agent #\d+$/m,
      /^#\d+\s+5 dUSD\s+1\s+1\s+100\s/m, // agents find: price, 1 paid job, 1 completed, score 100
      /^#1\s+Completed\s+5 dUSD\s/m, // jobs list
      /^job #1: Completed$/m, // jobs show
    ],
  },
  // every background server still runs at the end: bash's kill says "no such job" of one that stopped
  { name: 'stop', prints: [], never: /no such job/ },
]

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/** A folder that looks like the repository root to pnpm and tsx, with nothing of the walkthrough's in it. */
function checkoutLink(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hermit-newcomer-'))
  for (const entry of readdirSync(repo))
    if (entry !== '.git' && entry !== '.hermit') symlinkSync(join(repo, entry), join(dir, entry))
  return dir
}

/** Stops every process of the group (the servers stop on SIGTERM; anvil goes with its devnet), SIGKILL after 10 s. */
async function stopGroup(pgid: number): Promise<void> {
  const gone = () => {
    try {
      process.kill(-pgid, 0)
      return false
    } catch {
      return true
    }
  }
  if (!gone()) process.kill(-pgid, 'SIGTERM')
  for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 100))
  if (!gone()) process.kill(-pgid, 'SIGKILL')
}

describe('the README walkthrough', () => {
  it("runs the README's walkthrough block by block: each exits 0 and prints what it says", async () => {
    const blocks = walkthroughBlocks(readme)
    expect(blocks.map((_, i) => steps[i]?.name)).toEqual(steps.map((s) => s.name))

    const ports = new Map<string, number>()
    for (const p of ['8545', '8546', '8402', '11434']) ports.set(p, await freePort())
    const dir = checkoutLink()
    const logs = join(dir, '.walk')
    const script = [
      'set -eo pipefail',
      'pnpm() { npx -y pnpm@10.34.9 "$@"; }',
      `mkdir -p ${logs}`,
      ...blocks.flatMap((block, i) => [
        // each block's output (and that of the servers it starts) in its own file; a failure stops the script
        `exec >${logs}/${i}.log 2>&1`,
        block.replace(/\b(8545|8546|8402|11434)\b/g, (p) => String(ports.get(p))),
        `touch ${logs}/${i}.ok`,
      ]),
    ].join('\n')
    writeFileSync(join(dir, 'walkthrough.sh'), script)
    // no HERMIT_* or OLLAMA_* of the machine's: the walkthrough sets what it needs
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HERMIT_|OLLAMA_)/.test(k)))
    // its own process group, so every server it left behind is stopped at the end
    const bash = spawn('bash', ['walkthrough.sh'], { cwd: dir, env: { ...env, NO_COLOR: '1' }, detached: true })
    let early = ''
    bash.stdout.on('data', (c) => (early += c))
    bash.stderr.on('data', (c) => (early += c))
    const log = (i: number) => (existsSync(`${logs}/${i}.log`) ? readFileSync(`${logs}/${i}.log`, 'utf8') : '')
    try {
      // a hung step (a server that never answers) ends the run here, not at the test's timeout
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), 780_000)
        bash.on('exit', (c) => {
          clearTimeout(timer)
          resolve(c)
        })
      })
      steps.forEach((step, i) => {
        const ran = `step ${i + 1} (${step.name})`
        expect(existsSync(`${logs}/${i}.ok`), `${ran} did not finish (bash: ${code})\n${early}${log(i)}`).toBe(true)
        for (const line of step.prints) expect(log(i), ran).toMatch(line)
        if (step.never) expect(log(i), ran).not.toMatch(step.never)
      })
      expect(code).toBe(0)
    } finally {
      await stopGroup(bash.pid!)
      rmSync(dir, { recursive: true, force: true }) // unlinks the links, never what they point to
    }
  }, 900_000)
})
