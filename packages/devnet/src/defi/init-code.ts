/**
 * Uniswap's routers never ask the factory where a pair or pool is: they recompute its CREATE2
 * address from a hash of the pair/pool creation code hard-coded in the periphery. If the core
 * bytecode we deploy hashed differently, every router call would go to an empty address. So the
 * world checks, at start, that the core artifacts hash to what the periphery's sources say.
 */
import { keccak256, type Hex } from 'viem'
import { DevnetError } from '../errors.ts'
import { loadArtifact, readPackageSource, type DefiArtifactName } from './artifacts.ts'

export type InitCodeCheck = {
  /** The contract whose creation code is hashed (UniswapV2Pair, UniswapV3Pool). */
  contract: string
  /** Where the expected hash was read. */
  source: string
  expected: Hex
  actual: Hex
}

/** V2: `UniswapV2Library.pairFor` has `hex'<hash>' // init code hash`. */
export const V2_LIBRARY_SOURCE = '@uniswap/v2-periphery/contracts/libraries/UniswapV2Library.sol'
/** V3: `PoolAddress` has `bytes32 internal constant POOL_INIT_CODE_HASH = 0x<hash>;`. */
export const V3_POOL_ADDRESS_SOURCE = '@uniswap/v3-periphery/contracts/libraries/PoolAddress.sol'

function extract(source: string, text: string, pattern: RegExp): Hex {
  const match = pattern.exec(text)
  if (!match?.[1]) {
    throw new DevnetError('DEVNET_INIT_CODE_MISMATCH', `No init-code hash found in ${source}.`, {
      hint: 'The periphery package changed shape: pin the version in packages/devnet/package.json.',
      details: { source },
    })
  }
  return `0x${match[1].toLowerCase()}`
}

/** The expected hash from the periphery source, and the hash of the core creation code as shipped. */
export function initCodeChecks(): InitCodeCheck[] {
  const hashOf = (name: DefiArtifactName) => keccak256(loadArtifact(name).bytecode)
  return [
    {
      contract: 'UniswapV2Pair',
      source: V2_LIBRARY_SOURCE,
      expected: extract(
        V2_LIBRARY_SOURCE,
        readPackageSource(V2_LIBRARY_SOURCE),
        /hex'([0-9a-fA-F]{64})'\s*\/\/\s*init code hash/,
      ),
      actual: hashOf('UniswapV2Pair'),
    },
    {
      contract: 'UniswapV3Pool',
      source: V3_POOL_ADDRESS_SOURCE,
      expected: extract(
        V3_POOL_ADDRESS_SOURCE,
        readPackageSource(V3_POOL_ADDRESS_SOURCE),
        /POOL_INIT_CODE_HASH\s*=\s*0x([0-9a-fA-F]{64})/,
      ),
      actual: hashOf('UniswapV3Pool'),
    },
  ]
}

/**
 * Throws `DEVNET_INIT_CODE_MISMATCH` unless each hash matches, and unless the routers' shipped
 * bytecode embeds that same hash (the source is what we read; the bytecode is what runs).
 */
export function assertInitCodeHashes(
  checks: readonly InitCodeCheck[] = initCodeChecks(),
  embeddedIn: Partial<Record<string, readonly DefiArtifactName[]>> = {
    UniswapV2Pair: ['UniswapV2Router02'],
    UniswapV3Pool: ['SwapRouter', 'QuoterV2', 'NonfungiblePositionManager'],
  },
): void {
  for (const check of checks) {
    if (check.expected.toLowerCase() !== check.actual.toLowerCase()) {
      throw new DevnetError(
        'DEVNET_INIT_CODE_MISMATCH',
        `${check.contract} creation code hashes to ${check.actual}, but ${check.source} expects ${check.expected}.`,
        {
          hint: 'The core and periphery packages do not belong together: pin the versions in packages/devnet/package.json.',
          details: { ...check },
        },
      )
    }
    for (const router of embeddedIn[check.contract] ?? []) {
      if (!loadArtifact(router).bytecode.toLowerCase().includes(check.expected.slice(2).toLowerCase())) {
        throw new DevnetError(
          'DEVNET_INIT_CODE_MISMATCH',
          `${router}'s bytecode does not embed the ${check.contract} init-code hash ${check.expected}.`,
          {
            hint: 'The periphery artifacts were built from other sources than they ship: pin the package version.',
            details: { contract: check.contract, router, expected: check.expected },
          },
        )
      }
    }
  }
}
