import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative, sep } from 'node:path'
import { ArtifactsMismatchError } from './errors.ts'
import { CIRCUITS_DIR, type CircuitName } from './paths.ts'

export const MANIFEST_NOTE = 'devnet setup, not a ceremony'

/** Facts about one compiled circuit, for readers of the manifest (the check does not use them). */
export type CircuitInfo = {
  constraints: number
  wires: number
  privateInputs: number
  publicInputs: number
  outputs: number
  /** The order of `publicSignals` in snarkjs proofs and of `pub` in the Solidity verifier. */
  publicSignals: string[]
}

/** `circuits/artifacts/manifest.json`: what the committed artifacts were built from. */
export type ArtifactsManifest = {
  note: typeof MANIFEST_NOTE
  compiler: { circom: string; circom2: string; flags: string[] }
  snarkjs: string
  circomlib: { version: string }
  /** The phase-2-prepared ptau the zkeys were made from (its hash, as the file is not committed). */
  ptau: { power: number; contributions: number; sha256: string; note: string }
  zkey: { contributions: number; beacon: boolean }
  /** sha256 of every `*.circom` of this package, by path relative to `circuits/`. */
  sources: Record<string, string>
  /** sha256 of every generated file, by path relative to `circuits/` (verifiers sit in ../contracts). */
  artifacts: Record<string, string>
  circuits: Record<CircuitName, CircuitInfo>
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

// Build output, installed packages and artifacts hold no sources of ours.
const SKIPPED_DIRS = new Set(['node_modules', 'artifacts', 'build', '.git'])

/** Every `*.circom` of the package, relative to `circuitsDir`, with `/` separators, sorted. */
export function listCircomSources(circuitsDir: string = CIRCUITS_DIR): string[] {
  const found: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name))
      } else if (entry.isFile() && entry.name.endsWith('.circom')) {
        found.push(relative(circuitsDir, join(dir, entry.name)).split(sep).join('/'))
      }
    }
  }
  walk(circuitsDir)
  return found.sort()
}

export function hashSources(circuitsDir: string = CIRCUITS_DIR): Record<string, string> {
  return Object.fromEntries(listCircomSources(circuitsDir).map((file) => [file, sha256File(join(circuitsDir, file))]))
}

const require = createRequire(import.meta.url)

/** The installed circomlib's version: its templates are part of what the circuits are. */
export function installedCircomlibVersion(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('circomlib/package.json'), 'utf8')) as { version: string }
  return pkg.version
}

export function manifestPath(circuitsDir: string = CIRCUITS_DIR): string {
  return join(circuitsDir, 'artifacts', 'manifest.json')
}

/** Every way the sources under `circuitsDir` and its artifacts disagree with the manifest. */
export function findArtifactProblems(circuitsDir: string = CIRCUITS_DIR): string[] {
  const path = manifestPath(circuitsDir)
  if (!existsSync(path)) return [`no manifest at ${path}`]
  let manifest: ArtifactsManifest
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as ArtifactsManifest
  } catch (error) {
    return [`manifest ${path} is not JSON (${(error as Error).message})`]
  }

  const problems: string[] = []
  const sources = hashSources(circuitsDir)
  for (const [file, hash] of Object.entries(manifest.sources ?? {})) {
    if (sources[file] === undefined) problems.push(`source ${file} is in the manifest but no longer exists`)
    else if (sources[file] !== hash)
      problems.push(`source ${file} changed since the artifacts were built (sha256 mismatch)`)
  }
  for (const file of Object.keys(sources)) {
    if (manifest.sources?.[file] === undefined)
      problems.push(`source ${file} is newer than the artifacts (not in the manifest)`)
  }

  const circomlib = installedCircomlibVersion()
  if (manifest.circomlib?.version !== circomlib) {
    problems.push(`artifacts were built with circomlib ${manifest.circomlib?.version}, installed is ${circomlib}`)
  }

  for (const [file, hash] of Object.entries(manifest.artifacts ?? {})) {
    const full = join(circuitsDir, file)
    if (!existsSync(full)) problems.push(`artifact ${file} is missing`)
    else if (sha256File(full) !== hash) problems.push(`artifact ${file} does not match the manifest (sha256 mismatch)`)
  }
  return problems
}

/**
 * Checks that the committed artifacts (wasm, zkey, vkey, Solidity verifiers) were built from
 * the circuit sources as they are now. Returns the manifest, or throws an
 * {@link ArtifactsMismatchError} that says to run the build script.
 */
export function checkArtifacts(options: { circuitsDir?: string } = {}): ArtifactsManifest {
  const circuitsDir = options.circuitsDir ?? CIRCUITS_DIR
  const problems = findArtifactProblems(circuitsDir)
  if (problems.length > 0) throw new ArtifactsMismatchError(problems, { details: { circuitsDir, problems } })
  return JSON.parse(readFileSync(manifestPath(circuitsDir), 'utf8')) as ArtifactsManifest
}
