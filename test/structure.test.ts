// The repository's structure claims (README): dependencies point one way, @hermit/agents loads no prover,
// and each package's error codes share one prefix.
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { AGENTS_ERROR_CODES } from '@hermit/agents'
import { CHAIN_ERROR_CODES } from '@hermit/chain'
import { CIRCUIT_ERROR_CODES } from '@hermit/circuits'
import { DEVNET_ERROR_CODES } from '@hermit/devnet'
import { ERC8004_ERROR_CODES } from '@hermit/erc8004'
import { LLM_ERROR_CODES } from '@hermit/llm'
import { TXGUARD_ERROR_CODES } from '@hermit/txguard'
import { ZKPAY_ERROR_CODES } from '@hermit/zkpay'
import { CLI_ERROR_CODES } from '../packages/cli/src/errors.ts'
import { LLAMACPP_ERROR_CODES } from '@hermit/llamacpp'
import { INTENT_ERROR_CODES } from '@hermit/intent'
import { PROPOSER_ERROR_CODES } from '@hermit/proposer'
import { TRUST_ERROR_CODES } from '@hermit/trust'
import { UI_ERROR_CODES } from '@hermit/ui'
import { GATEWAY_ERROR_CODES } from '@hermit/gateway'
import { MCP_ERROR_CODES } from '@hermit/mcp'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Which @hermit packages each package may use at runtime; `'*'` is any. */
const allowed: Record<string, readonly string[] | '*'> = {
  cli: '*',
  agents: ['erc8004', 'llm', 'chain', 'contracts', 'errors'],
  txguard: ['trust', 'intent', 'llm', 'chain', 'contracts', 'errors'],
  proposer: ['txguard', 'intent', 'agents', 'erc8004', 'zkpay', 'devnet', 'llm', 'chain', 'contracts', 'errors'],
  mcp: ['txguard', 'proposer', 'trust', 'zkpay', 'erc8004', 'agents', 'intent', 'llm', 'chain', 'contracts', 'errors'],
  ui: ['proposer', 'txguard', 'zkpay', 'intent', 'llm', 'chain', 'contracts', 'errors'],
  gateway: ['zkpay', 'llm', 'chain', 'contracts', 'errors'],
  trust: ['llm', 'chain', 'contracts', 'errors'],
  intent: ['llm', 'chain', 'contracts', 'errors'],
  llamacpp: ['llm', 'errors'],
  zkpay: ['circuits', 'chain', 'contracts', 'errors'],
  erc8004: ['chain', 'contracts', 'errors'],
  devnet: ['chain', 'contracts', 'errors'],
  llm: ['errors'],
  chain: ['errors'],
  circuits: ['errors'],
  errors: [],
  contracts: [],
}
/** Allowed only as an optional peer dependency / `import type`: the importer never loads it. */
const optionalPeers: Record<string, readonly string[]> = { agents: ['zkpay'] }
/** The only subpaths another package may import; anything else is a deep import of its internals. */
const publicSubpaths = new Set(['', '/testing'])
const publicSubpathsOf: Record<string, readonly string[]> = { contracts: ['/testbed'] }

function mayUse(from: string, to: string): boolean {
  const list = allowed[from]
  return list === '*' || (list ?? []).includes(to)
}

interface Manifest {
  name: string
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
}

const packageDirs = [
  ...readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d)),
  join(root, 'circuits'),
].filter((d) => statSync(join(d, 'package.json'), { throwIfNoEntry: false })?.isFile())

function shortName(name: string): string {
  return name.replace(/^@hermit\//, '')
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && !(entry.name === 'testing' && dir.endsWith('/src')))
        out.push(...sourceFiles(path))
    } else if (/\.(c|m)?tsx?$/.test(entry.name) && !/\.test\.(c|m)?tsx?$/.test(entry.name)) {
      out.push(path)
    }
  }
  return out
}

interface HermitImport {
  file: string
  pkg: string
  subpath: string
  typeOnly: boolean
}

/** Every `@hermit/…` specifier a file names: static imports / re-exports (multi-line too), side-effect and dynamic imports. */
function hermitImports(file: string, text: string): HermitImport[] {
  const found: HermitImport[] = []
  const statement = /^\s*(import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*['"](@hermit\/[^'"]+)['"]/gm
  const bare = /^\s*import\s*['"](@hermit\/[^'"]+)['"]/gm
  const dynamic = /\bimport\s*\(\s*['"](@hermit\/[^'"]+)['"]\s*\)/g
  const add = (specifier: string, typeOnly: boolean) => {
    const m = /^@hermit\/([^/]+)(.*)$/.exec(specifier)!
    found.push({ file, pkg: m[1]!, subpath: m[2]!, typeOnly })
  }
  for (const m of text.matchAll(statement)) add(m[3]!, m[2] !== undefined)
  for (const m of text.matchAll(bare)) add(m[1]!, false)
  for (const m of text.matchAll(dynamic)) add(m[1]!, false)
  return found
}

describe('Dependencies point one way', () => {
  it('every package.json lists only the @hermit runtime dependencies (dependencies + peerDependencies) its layer allows', () => {
    const bad: string[] = []
    expect(packageDirs.length).toBeGreaterThanOrEqual(11)
    for (const dir of packageDirs) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
      const me = shortName(manifest.name)
      expect(allowed, `${manifest.name} is missing from the table`).toHaveProperty(me)
      for (const dep of Object.keys(manifest.dependencies ?? {}).filter((d) => d.startsWith('@hermit/'))) {
        if (!mayUse(me, shortName(dep))) bad.push(`${manifest.name} depends on ${dep}`)
      }
      for (const dep of Object.keys(manifest.peerDependencies ?? {}).filter((d) => d.startsWith('@hermit/'))) {
        const to = shortName(dep)
        const optionalPeer =
          (optionalPeers[me] ?? []).includes(to) && manifest.peerDependenciesMeta?.[dep]?.optional === true
        if (!mayUse(me, to) && !optionalPeer) bad.push(`${manifest.name} has peer ${dep}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('every non-test source file imports only allowed @hermit packages, by their root, /testing or contracts/testbed', () => {
    const bad: string[] = []
    let scanned = 0
    for (const dir of packageDirs.filter((d) => d.includes('/packages/'))) {
      const me = shortName((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).name)
      for (const file of sourceFiles(join(dir, 'src'))) {
        scanned++
        for (const imp of hermitImports(file, readFileSync(file, 'utf8'))) {
          const where = `${relative(root, file)}: @hermit/${imp.pkg}${imp.subpath}`
          if (imp.pkg === me) {
            bad.push(`${where} (imports its own package by name)`)
            continue
          }
          const typeOnlyPeer = imp.typeOnly && (optionalPeers[me] ?? []).includes(imp.pkg)
          if (!mayUse(me, imp.pkg) && !typeOnlyPeer) bad.push(`${where} (not allowed for ${me})`)
          if (!publicSubpaths.has(imp.subpath) && !(publicSubpathsOf[imp.pkg] ?? []).includes(imp.subpath)) {
            bad.push(`${where} (deep import)`)
          }
        }
      }
    }
    expect(scanned).toBeGreaterThan(50)
    expect(bad).toEqual([])
  })

  it('the import scanner sees multi-line, type-only, re-export, side-effect and dynamic imports', () => {
    const text = [
      "import {\n  a,\n  b,\n} from '@hermit/chain'",
      "import type { Z } from '@hermit/zkpay'",
      "export { c } from '@hermit/errors/src/x.ts'",
      "import '@hermit/llm'",
      "const m = await import('@hermit/txguard')",
    ].join('\n')
    expect(hermitImports('f.ts', text).map((i) => `${i.pkg}${i.subpath}${i.typeOnly ? ' type' : ''}`)).toEqual([
      'chain',
      'zkpay type',
      'errors/src/x.ts',
      'llm',
      'txguard',
    ])
  })
})

describe('importing @hermit/agents loads no prover', () => {
  it('no module resolved while importing @hermit/agents is snarkjs, mcl-wasm, SQLite, zkpay or circuits', async () => {
    // A resolve hook (runs on the loader thread) posts every resolved URL back; the main thread prints them.
    const hook = `
      let port
      export function initialize(data) { port = data.port }
      export async function resolve(specifier, context, next) {
        const r = await next(specifier, context)
        port.postMessage(r.url)
        return r
      }`
    const script = `
      import { register } from 'node:module'
      import { MessageChannel } from 'node:worker_threads'
      const { port1, port2 } = new MessageChannel()
      const urls = []
      port1.on('message', (u) => urls.push(u))
      port1.unref()
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), {
        data: { port: port2 },
        transferList: [port2],
      })
      await import('@hermit/agents')
      // messages arrive in order: once this sentinel's URL is back, every earlier one is too
      const sentinel = 'data:text/javascript,export default 1//hermit-sentinel'
      await import(sentinel)
      while (!urls.includes(sentinel)) await new Promise((r) => setTimeout(r, 5))
      process.stdout.write(JSON.stringify(urls.filter((u) => u !== sentinel)))`
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        { cwd: join(root, 'packages/agents'), timeout: 25_000, maxBuffer: 64 * 1024 * 1024 },
        (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
      )
    })
    const urls = JSON.parse(stdout) as string[]
    // the hook really saw the package load (otherwise an empty list would pass)
    expect(urls.some((u) => u.includes('/packages/agents/src/index.ts'))).toBe(true)
    expect(urls.some((u) => u.includes('/packages/erc8004/'))).toBe(true)
    const forbidden = ['snarkjs', 'mcl-wasm', 'sqlite', '/packages/zkpay/', '/circuits/']
    expect(urls.filter((u) => forbidden.some((f) => u.toLowerCase().includes(f)))).toEqual([])
  })
})

describe("each package's codes use one prefix", () => {
  const families: Record<string, { prefix: string; codes: readonly string[] }> = {
    chain: { prefix: 'CHAIN_', codes: CHAIN_ERROR_CODES },
    devnet: { prefix: 'DEVNET_', codes: DEVNET_ERROR_CODES },
    erc8004: { prefix: 'ERC8004_', codes: ERC8004_ERROR_CODES },
    llm: { prefix: 'LLM_', codes: LLM_ERROR_CODES },
    intent: { prefix: 'INTENT_', codes: INTENT_ERROR_CODES },
    proposer: { prefix: 'PROPOSER_', codes: PROPOSER_ERROR_CODES },
    llamacpp: { prefix: 'LLAMACPP_', codes: LLAMACPP_ERROR_CODES },
    txguard: { prefix: 'TXGUARD_', codes: TXGUARD_ERROR_CODES },
    trust: { prefix: 'TRUST_', codes: TRUST_ERROR_CODES },
    ui: { prefix: 'UI_', codes: UI_ERROR_CODES },
    gateway: { prefix: 'GATEWAY_', codes: GATEWAY_ERROR_CODES },
    mcp: { prefix: 'MCP_', codes: MCP_ERROR_CODES },
    zkpay: { prefix: 'ZKPAY_', codes: ZKPAY_ERROR_CODES },
    agents: { prefix: 'AGENTS_', codes: AGENTS_ERROR_CODES },
    circuits: { prefix: 'CIRCUIT_', codes: CIRCUIT_ERROR_CODES },
    cli: { prefix: 'CLI_', codes: CLI_ERROR_CODES },
  }

  for (const [pkg, { prefix, codes }] of Object.entries(families)) {
    it(`every @hermit/${pkg} error code starts with ${prefix}`, () => {
      expect(codes.length).toBeGreaterThan(0)
      expect(codes.filter((c) => !c.startsWith(prefix))).toEqual([])
    })
  }

  it('no error code appears twice, within or across packages', () => {
    const all = Object.values(families).flatMap((f) => f.codes)
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([])
  })
})
