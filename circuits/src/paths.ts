import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** The `circuits/` package folder (sources, build script, artifacts). */
export const CIRCUITS_DIR = fileURLToPath(new URL('..', import.meta.url))

/** Where the committed proving/verifying artifacts live. */
export const ARTIFACTS_DIR = join(CIRCUITS_DIR, 'artifacts')

/** The generated Solidity verifiers, relative to the circuits folder (as the manifest names them). */
export const VERIFIER_FILES = {
  credit: '../contracts/src/zk/CreditVerifier.sol',
  exit: '../contracts/src/zk/ExitVerifier.sol',
} as const

export type CircuitName = 'credit' | 'exit'

/** The files a prover/verifier of one circuit needs. */
export type CircuitArtifacts = {
  wasm: string
  zkey: string
  vkey: string
}

export function artifactPaths(name: CircuitName, dir: string = ARTIFACTS_DIR): CircuitArtifacts {
  return {
    wasm: join(dir, `${name}.wasm`),
    zkey: join(dir, `${name}.zkey`),
    vkey: join(dir, `${name}.vkey.json`),
  }
}
