import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

const requireHere = createRequire(import.meta.url)

/** OpenZeppelin's own compiled contracts, exactly as @openzeppelin/contracts 5.4.0 ships them. */
export type OzName =
  | 'ERC1967Proxy'
  | 'TransparentUpgradeableProxy'
  | 'ProxyAdmin'
  | 'UpgradeableBeacon'
  | 'BeaconProxy'
  | 'TimelockController'

const cache = new Map<OzName, { abi: Abi; bytecode: Hex }>()

export function ozArtifact(name: OzName): { abi: Abi; bytecode: Hex } {
  const hit = cache.get(name)
  if (hit) return hit
  const json = JSON.parse(
    readFileSync(requireHere.resolve(`@openzeppelin/contracts/build/contracts/${name}.json`), 'utf8'),
  )
  const artifact = { abi: json.abi as Abi, bytecode: json.bytecode as Hex }
  cache.set(name, artifact)
  return artifact
}
