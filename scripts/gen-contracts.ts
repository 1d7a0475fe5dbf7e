/**
 * Turns forge artifacts (contracts/out) into `@hermit/contracts`: one `as const` ABI and bytecode
 * module per contract of contracts/src, so viem infers every argument and return type.
 *
 * Two entry points: the root (`@hermit/contracts`, generated/index.ts) exports Hermit's own
 * contracts; the adversarial test bed of contracts/src/testbed (honeypots, drainers, an evil proxy…)
 * is exported only from `@hermit/contracts/testbed` (generated/testbed/index.ts), so production code
 * cannot pick one up from an autocompleted root import.
 *
 *   pnpm contracts:gen            regenerate packages/contracts/src/generated
 *   pnpm contracts:gen --check    fail (exit 1) when the generated files are stale
 *   (--artifacts DIR and --generated DIR override the default folders)
 *
 * Run `pnpm contracts:build` (or `pnpm contracts:test`) first: it reads the artifacts forge wrote.
 * Forge leaves artifacts of contracts that were moved or deleted in out/: when its cache
 * (out/../cache/solidity-files-cache.json) is there, only the artifacts it lists are read.
 */
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
export const defaultPaths = {
  artifacts: join(root, 'contracts/out'),
  generated: join(root, 'packages/contracts/src/generated'),
}
/** Contracts under this folder of contracts/ go to the `@hermit/contracts/testbed` entry point. */
export const TESTBED_SOURCE = 'src/testbed/'
/** Where, inside the generated folder, the test-bed bindings and their index go. */
export const TESTBED_DIR = 'testbed'
export const REGENERATE_HINT =
  'run `pnpm contracts:build && pnpm contracts:gen` and commit packages/contracts/src/generated'

type LinkReferences = Record<string, Record<string, Array<{ start: number; length: number }>>>
type Artifact = {
  abi: unknown[]
  bytecode: { object: string; linkReferences?: LinkReferences }
  deployedBytecode: { object: string }
  metadata?: { settings?: { compilationTarget?: Record<string, string> } }
}

/** The artifact paths (relative to the artifacts folder) of forge's last build, or undefined without its cache. */
function currentArtifacts(artifactsDir: string): Set<string> | undefined {
  const cacheFile = join(dirname(artifactsDir), 'cache', 'solidity-files-cache.json')
  if (!existsSync(cacheFile)) return undefined
  type Cache = {
    files: Record<string, { artifacts?: Record<string, Record<string, Record<string, { path: string }>>> }>
  }
  const cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Cache
  const paths = new Set<string>()
  for (const file of Object.values(cache.files)) {
    for (const versions of Object.values(file.artifacts ?? {})) {
      for (const profiles of Object.values(versions)) for (const { path } of Object.values(profiles)) paths.add(path)
    }
  }
  return paths
}

/** file path (relative to the generated folder, `/`-separated) → file text, for every file the generator owns. */
export function renderGenerated(artifactsDir: string): Map<string, string> {
  if (!existsSync(artifactsDir)) {
    throw new Error(`No forge artifacts at ${artifactsDir}: run \`pnpm contracts:build\` first.`)
  }
  const current = currentArtifacts(artifactsDir)
  const all: Array<{ name: string; source: string; artifact: Artifact }> = []
  for (const dir of readdirSync(artifactsDir, { withFileTypes: true })) {
    if (!dir.isDirectory() || !dir.name.endsWith('.sol')) continue
    for (const file of readdirSync(join(artifactsDir, dir.name))) {
      if (!file.endsWith('.json')) continue
      if (current && !current.has(`${dir.name}/${file}`)) continue // left over from a moved or deleted contract
      const artifact = JSON.parse(readFileSync(join(artifactsDir, dir.name, file), 'utf8')) as Artifact
      const target = Object.entries(artifact.metadata?.settings?.compilationTarget ?? {})[0]
      if (target) all.push({ name: target[1], source: target[0], artifact })
    }
  }
  const contracts = all.filter((c) => c.source.startsWith('src/'))
  // libraries that Hermit's contracts link against (e.g. poseidon-solidity) are generated too
  const linked = new Set(
    contracts.flatMap((c) =>
      Object.values(c.artifact.bytecode.linkReferences ?? {}).flatMap((libs) => Object.keys(libs)),
    ),
  )
  contracts.push(
    ...all.filter((c) => !c.source.startsWith('src/') && !c.source.startsWith('test/') && linked.has(c.name)),
  )
  contracts.sort((a, b) => a.name.localeCompare(b.name))
  // one module per name: two sources declaring the same contract name would silently overwrite each other
  for (let i = 1; i < contracts.length; i++) {
    if (contracts[i]!.name === contracts[i - 1]!.name) {
      throw new Error(
        `Two contracts named ${contracts[i]!.name} (${contracts[i - 1]!.source}, ${contracts[i]!.source}): rename one, ` +
          'or delete contracts/out and rebuild if one is a leftover artifact.',
      )
    }
  }
  const files = new Map<string, string>()
  const header =
    '// Generated by scripts/gen-contracts.ts from forge artifacts. Do not edit: run `pnpm contracts:gen`.\n'
  const testbed = (source: string) => source.startsWith(TESTBED_SOURCE)
  for (const { name, source, artifact } of contracts) {
    const id = name[0]!.toLowerCase() + name.slice(1)
    const bytecode = artifact.bytecode.object
    const deployed = artifact.deployedBytecode.object
    let text = `${header}// Source: ${source.startsWith('src/') ? `contracts/${source}` : source.replace(/^(\.\.\/)+node_modules\//, 'npm: ')}\n\n`
    text += `export const ${id}Abi = ${JSON.stringify(artifact.abi, null, 2)} as const\n`
    if (bytecode !== '0x' && bytecode !== '') {
      text += `\nexport const ${id}Bytecode = '${bytecode}' as const\n`
      text += `\nexport const ${id}DeployedBytecode = '${deployed}' as const\n`
      const refs: Record<string, Array<{ start: number; length: number }>> = {}
      for (const libs of Object.values(artifact.bytecode.linkReferences ?? {})) Object.assign(refs, libs)
      if (Object.keys(refs).length > 0) {
        text += '\n/** Where library addresses go in the bytecode: link with linkBytecode() before deploying. */\n'
        text += `export const ${id}LinkReferences = ${JSON.stringify(refs)} as const\n`
      }
    }
    files.set(testbed(source) ? `${TESTBED_DIR}/${name}.ts` : `${name}.ts`, text)
  }
  let index = header
  for (const { name } of contracts.filter((c) => !testbed(c.source))) index += `export * from './${name}.ts'\n`
  files.set('index.ts', index)
  let testbedIndex = `${header}// The adversarial test bed (contracts/${TESTBED_SOURCE}): exported as @hermit/contracts/testbed only.\n`
  for (const { name } of contracts.filter((c) => testbed(c.source))) testbedIndex += `export * from './${name}.ts'\n`
  files.set(`${TESTBED_DIR}/index.ts`, testbedIndex)
  return files
}

/** The `.ts` files under `dir`, as `/`-separated paths relative to it. */
function listGenerated(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(sep).join('/'))
    .filter((f) => f.endsWith('.ts'))
    .sort()
}

export type StaleReport = { missing: string[]; changed: string[]; extra: string[] }

export function checkGenerated(artifactsDir: string, generatedDir: string): StaleReport {
  const expected = renderGenerated(artifactsDir)
  const present = listGenerated(generatedDir)
  const report: StaleReport = { missing: [], changed: [], extra: [] }
  for (const [file, text] of expected) {
    const path = join(generatedDir, file)
    if (!existsSync(path)) report.missing.push(file)
    else if (readFileSync(path, 'utf8') !== text) report.changed.push(file)
  }
  for (const file of present) if (!expected.has(file)) report.extra.push(file)
  return report
}

export function isStale(report: StaleReport): boolean {
  return report.missing.length + report.changed.length + report.extra.length > 0
}

export function writeGenerated(artifactsDir: string, generatedDir: string): string[] {
  const files = renderGenerated(artifactsDir)
  rmSync(generatedDir, { recursive: true, force: true })
  mkdirSync(generatedDir, { recursive: true })
  for (const [file, text] of files) {
    mkdirSync(dirname(join(generatedDir, file)), { recursive: true })
    writeFileSync(join(generatedDir, file), text)
  }
  return [...files.keys()]
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flag = (name: string) => {
    const i = process.argv.indexOf(name)
    return i > 0 ? process.argv[i + 1] : undefined
  }
  const artifacts = flag('--artifacts') ?? defaultPaths.artifacts
  const generated = flag('--generated') ?? defaultPaths.generated
  if (process.argv.includes('--check')) {
    const report = checkGenerated(artifacts, generated)
    if (isStale(report)) {
      console.error('Generated contract bindings are stale against contracts/src:')
      for (const f of report.missing) console.error(`  missing: ${f}`)
      for (const f of report.changed) console.error(`  changed: ${f}`)
      for (const f of report.extra) console.error(`  no longer generated: ${f}`)
      console.error(`To regenerate: ${REGENERATE_HINT}.`)
      process.exit(1)
    }
    console.log('Generated contract bindings are up to date.')
  } else {
    const files = writeGenerated(artifacts, generated)
    console.log(`Wrote ${files.length} files to ${generated}`)
  }
}
