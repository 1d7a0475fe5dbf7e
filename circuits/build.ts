/**
 * Rebuilds the circuit artifacts: `cd circuits && node --import tsx build.ts [--fresh-ptau]`.
 *
 *   circom (--O2) → r1cs + wasm → local powers of tau (one random contribution, phase 2
 *   prepared) → Groth16 zkey (one random contribution) → vkey JSON → Solidity verifiers
 *   → artifacts/manifest.json with the sha256 of every source and artifact.
 *
 * This is a DEVNET setup, not a ceremony: whoever ran it could forge proofs. The prepared
 * ptau (the ~150 s step) is cached in build/ and reused unless --fresh-ptau is given.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import * as snarkjs from 'snarkjs'
import { CircuitBuildError } from './src/errors.ts'
import {
  type ArtifactsManifest,
  type CircuitInfo,
  MANIFEST_NOTE,
  hashSources,
  installedCircomlibVersion,
  manifestPath,
  sha256File,
} from './src/manifest.ts'
import { ARTIFACTS_DIR, CIRCUITS_DIR, type CircuitName, VERIFIER_FILES, artifactPaths } from './src/paths.ts'
import { CREDIT_PUBLIC_SIGNALS, EXIT_PUBLIC_SIGNALS } from './src/signals.ts'
import { terminateProver } from './src/prover.ts'

const require = createRequire(import.meta.url)
const BUILD_DIR = join(CIRCUITS_DIR, 'build')
const CIRCOM_FLAGS = ['--r1cs', '--wasm', '--sym', '--O2']
const CIRCUITS: Record<CircuitName, { verifierContract: string; publicSignals: readonly string[] }> = {
  credit: { verifierContract: 'CreditVerifier', publicSignals: CREDIT_PUBLIC_SIGNALS },
  exit: { verifierContract: 'ExitVerifier', publicSignals: EXIT_PUBLIC_SIGNALS },
}

// snarkjs's debug level prints every chunk of every section; info is enough to follow along.
const logger: snarkjs.SnarkjsLogger = {
  debug: () => {},
  info: (m) => console.log(`  snarkjs: ${m}`),
  warn: (m) => console.warn(`  snarkjs: ${m}`),
  error: (m) => console.error(`  snarkjs: ${m}`),
}

/** Fresh OS randomness for every contribution: a fixed entropy string would make the toxic waste public. */
const entropy = (): string => randomBytes(64).toString('hex')

async function step<T>(label: string, run: () => Promise<T> | T): Promise<T> {
  const start = performance.now()
  console.log(`▶ ${label}`)
  const result = await run()
  console.log(`  done in ${((performance.now() - start) / 1000).toFixed(1)} s`)
  return result
}

function commonAncestor(a: string, b: string): string {
  const pa = a.split(sep)
  const pb = b.split(sep)
  let k = 0
  while (k < pa.length && k < pb.length && pa[k] === pb[k]) k++
  return pa.slice(0, k).join(sep) || sep
}

/**
 * Runs the circom2 npm package's CLI (circom compiled to WASI). Its WASI file system does
 * not follow pnpm's symlinks and cannot open library paths that start with `..`, so it runs
 * from a folder that holds both our sources and circomlib's real location, with relative paths.
 */
function compile(name: CircuitName): void {
  const cli = require.resolve('circom2/cli.js')
  const circomlibDir = join(realpathSync(dirname(require.resolve('circomlib/package.json'))), 'circuits')
  const cwd = commonAncestor(realpathSync(CIRCUITS_DIR), circomlibDir)
  const args = [
    cli,
    relative(cwd, join(realpathSync(CIRCUITS_DIR), `${name}.circom`)),
    ...CIRCOM_FLAGS,
    '-l',
    relative(cwd, circomlibDir),
    '-o',
    relative(cwd, realpathSync(BUILD_DIR)),
  ]
  const result = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' })
  const log = result.stdout.replace(/\x1b\[[0-9;]*m/g, '').trimEnd()
  if (log !== '') console.log(log.replace(/^/gm, '  circom: '))
  // circom2 exits 0 even on some errors; its last line says whether it wrote everything.
  if (result.status !== 0 || !result.stdout.includes('Everything went okay')) {
    throw new CircuitBuildError('CIRCUIT_CIRCOM_FAILED', `circom could not compile ${name}.circom.`, {
      hint: 'Read the circom errors above.',
      details: { stderr: result.stderr.slice(-4000), status: result.status },
    })
  }
}

/** The public signal names in witness order, read from the .sym file the compiler wrote. */
function publicSignalsFromSym(name: CircuitName, count: number): string[] {
  const byWitness = new Map<number, string>()
  for (const line of readFileSync(join(BUILD_DIR, `${name}.sym`), 'utf8').split('\n')) {
    const [, witness, , label] = line.split(',')
    if (witness !== undefined && label !== undefined) byWitness.set(Number(witness), label.replace(/^main\./, ''))
  }
  return Array.from({ length: count }, (_, k) => byWitness.get(k + 1) ?? '?')
}

/** Smallest ptau power whose domain holds the circuit, as snarkjs's newZKey computes it. */
function powerFor(info: { nConstraints: number; nPubInputs: number; nOutputs: number }): number {
  return Math.ceil(Math.log2(info.nConstraints + info.nPubInputs + info.nOutputs + 1))
}

async function preparePtau(power: number, fresh: boolean): Promise<string> {
  const final = join(BUILD_DIR, `pot${power}_final.ptau`)
  if (existsSync(final) && !fresh) {
    console.log(`▶ reusing ${relative(CIRCUITS_DIR, final)} (pass --fresh-ptau to redo it)`)
    return final
  }
  const p0 = join(BUILD_DIR, `pot${power}_0000.ptau`)
  const p1 = join(BUILD_DIR, `pot${power}_0001.ptau`)
  const curve = await snarkjs.curves.getCurveFromName('bn128')
  await step(`powers of tau: new accumulator (power ${power})`, () =>
    snarkjs.powersOfTau.newAccumulator(curve, power, p0, logger),
  )
  await step('powers of tau: one random contribution', () =>
    snarkjs.powersOfTau.contribute(p0, p1, 'hermit devnet', entropy(), logger),
  )
  // written under another name first, so an interrupted build never leaves a half file to reuse
  await step('powers of tau: prepare phase 2 (slow)', () =>
    snarkjs.powersOfTau.preparePhase2(p1, `${final}.partial`, logger),
  )
  renameSync(`${final}.partial`, final)
  rmSync(p0)
  rmSync(p1)
  return final
}

function writeVerifier(name: CircuitName, solidity: string): string {
  const contract = CIRCUITS[name].verifierContract
  if (!solidity.includes('contract Groth16Verifier')) {
    throw new CircuitBuildError(
      'CIRCUIT_VERIFIER_TEMPLATE_CHANGED',
      'snarkjs no longer names its verifier Groth16Verifier.',
    )
  }
  const renamed = solidity
    .replace('contract Groth16Verifier', `contract ${contract}`)
    .replace(
      /^(pragma solidity[^\n]*\n)/m,
      `$1\n// Generated by circuits/build.ts from circuits/artifacts/${name}.zkey: do not edit, rebuild.\n` +
        `// ${MANIFEST_NOTE}: production needs a ceremony ptau and a multi-party phase 2.\n` +
        `// Public signals, in order: ${CIRCUITS[name].publicSignals.join(', ')}.\n`,
    )
  const out = join(CIRCUITS_DIR, VERIFIER_FILES[name])
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, renamed)
  return out
}

async function main(): Promise<void> {
  const fresh = process.argv.includes('--fresh-ptau')
  const started = performance.now()
  mkdirSync(BUILD_DIR, { recursive: true })
  mkdirSync(ARTIFACTS_DIR, { recursive: true })

  const infos = {} as Record<CircuitName, CircuitInfo>
  let power = 0
  for (const name of Object.keys(CIRCUITS) as CircuitName[]) {
    await step(`circom ${name}.circom ${CIRCOM_FLAGS.join(' ')}`, () => compile(name))
    const r1cs = await snarkjs.r1cs.info(join(BUILD_DIR, `${name}.r1cs`))
    const publicSignals = publicSignalsFromSym(name, r1cs.nOutputs + r1cs.nPubInputs)
    if (publicSignals.join() !== CIRCUITS[name].publicSignals.join()) {
      throw new CircuitBuildError(
        'CIRCUIT_PUBLIC_SIGNALS_CHANGED',
        `${name}'s public signals are [${publicSignals.join(', ')}].`,
        {
          hint: 'Update src/signals.ts (and every reader of publicSignals) to the new order.',
        },
      )
    }
    infos[name] = {
      constraints: r1cs.nConstraints,
      wires: r1cs.nVars,
      privateInputs: r1cs.nPrvInputs,
      publicInputs: r1cs.nPubInputs,
      outputs: r1cs.nOutputs,
      publicSignals,
    }
    power = Math.max(power, powerFor(r1cs))
    console.log(`  ${name}: ${r1cs.nConstraints} constraints, public signals [${publicSignals.join(', ')}]`)
  }

  const ptau = await preparePtau(power, fresh)

  const artifacts: Record<string, string> = {}
  const record = (path: string): void => {
    artifacts[relative(CIRCUITS_DIR, path).split(sep).join('/')] = sha256File(path)
  }
  for (const name of Object.keys(CIRCUITS) as CircuitName[]) {
    const out = artifactPaths(name)
    const zkey0 = join(BUILD_DIR, `${name}_0000.zkey`)
    await step(`groth16 setup ${name}`, () =>
      snarkjs.zKey.newZKey(join(BUILD_DIR, `${name}.r1cs`), ptau, zkey0, logger),
    )
    await step(`groth16 contribution ${name}`, () =>
      snarkjs.zKey.contribute(zkey0, out.zkey, 'hermit devnet', entropy(), logger),
    )
    rmSync(zkey0)
    copyFileSync(join(BUILD_DIR, `${name}_js`, `${name}.wasm`), out.wasm)
    const vkey = await snarkjs.zKey.exportVerificationKey(out.zkey)
    writeFileSync(out.vkey, `${JSON.stringify(vkey, null, 2)}\n`)
    const template = readFileSync(join(packageDir('snarkjs'), 'templates', 'verifier_groth16.sol.ejs'), 'utf8')
    const verifier = writeVerifier(name, await snarkjs.zKey.exportSolidityVerifier(out.zkey, { groth16: template }))
    for (const file of [out.wasm, out.zkey, out.vkey, verifier]) record(file)
  }

  const manifest: ArtifactsManifest = {
    note: MANIFEST_NOTE,
    compiler: {
      circom: circomVersion(),
      circom2: packageVersion('circom2'),
      flags: [...CIRCOM_FLAGS, '-l circomlib/circuits'],
    },
    snarkjs: packageVersion('snarkjs'),
    circomlib: { version: installedCircomlibVersion() },
    ptau: {
      power,
      contributions: 1,
      sha256: sha256File(ptau),
      note: 'local, one random contribution; kept only in build/, which is not committed',
    },
    zkey: { contributions: 1, beacon: false },
    sources: hashSources(),
    artifacts,
    circuits: infos,
  }
  writeFileSync(manifestPath(), `${JSON.stringify(manifest, null, 2)}\n`)
  await terminateProver()
  console.log(
    `✔ artifacts written to ${relative(process.cwd(), ARTIFACTS_DIR) || '.'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
}

/** A package's folder. snarkjs's exports map hides its package.json, so walk up from its entry point. */
function packageDir(name: string): string {
  let dir = dirname(require.resolve(name))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir
    if (dirname(dir) === dir)
      throw new CircuitBuildError('CIRCUIT_PACKAGE_NOT_FOUND', `Cannot find the folder of ${name}.`)
    dir = dirname(dir)
  }
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version
}

function circomVersion(): string {
  const out = spawnSync(process.execPath, [require.resolve('circom2/cli.js'), '--version'], { encoding: 'utf8' }).stdout
  return /circom compiler (\S+)/.exec(out)?.[1] ?? 'unknown'
}

main().catch(async (error: unknown) => {
  console.error(error)
  await terminateProver()
  process.exit(1)
})
