/**
 * The bytecode of the DeFi world, read at run time from the official npm artifacts exactly as they
 * ship (no recompiling, no copy in this repo). The `as const` ABIs beside them are generated from the
 * same files by scripts/gen-defi-abis.ts.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { isHex, type Hex } from 'viem'
import { DevnetError } from '../errors.ts'

const requireHere = createRequire(import.meta.url)

/** Every artifact the world deploys, by the name it gets in the deployments file. */
export const DEFI_ARTIFACTS = {
  UniswapV2Factory: '@uniswap/v2-core/build/UniswapV2Factory.json',
  UniswapV2Pair: '@uniswap/v2-core/build/UniswapV2Pair.json',
  UniswapV2Router02: '@uniswap/v2-periphery/build/UniswapV2Router02.json',
  WETH9: '@uniswap/v2-periphery/build/WETH9.json',
  UniswapV3Factory: '@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json',
  UniswapV3Pool: '@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json',
  SwapRouter: '@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json',
  QuoterV2: '@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json',
  NFTDescriptor: '@uniswap/v3-periphery/artifacts/contracts/libraries/NFTDescriptor.sol/NFTDescriptor.json',
  NonfungibleTokenPositionDescriptor:
    '@uniswap/v3-periphery/artifacts/contracts/NonfungibleTokenPositionDescriptor.sol/NonfungibleTokenPositionDescriptor.json',
  NonfungiblePositionManager:
    '@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json',
  Safe: '@safe-global/safe-contracts/build/artifacts/contracts/Safe.sol/Safe.json',
  SafeProxyFactory:
    '@safe-global/safe-contracts/build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json',
  MultiSend: '@safe-global/safe-contracts/build/artifacts/contracts/libraries/MultiSend.sol/MultiSend.json',
  MultiSendCallOnly:
    '@safe-global/safe-contracts/build/artifacts/contracts/libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json',
  CompatibilityFallbackHandler:
    '@safe-global/safe-contracts/build/artifacts/contracts/handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json',
} as const
export type DefiArtifactName = keyof typeof DEFI_ARTIFACTS

type LinkReferences = Record<string, Record<string, Array<{ start: number; length: number }>>>
export type DefiArtifact = { bytecode: Hex; linkReferences: LinkReferences }

const cache = new Map<DefiArtifactName, DefiArtifact>()

/** The creation bytecode (and library link slots) of one artifact; v2's waffle builds omit the 0x. */
export function loadArtifact(name: DefiArtifactName): DefiArtifact {
  const hit = cache.get(name)
  if (hit) return hit
  const path = DEFI_ARTIFACTS[name]
  let json: { bytecode?: unknown; linkReferences?: LinkReferences }
  try {
    json = JSON.parse(readFileSync(requireHere.resolve(path), 'utf8')) as typeof json
  } catch (cause) {
    throw new DevnetError('DEVNET_ARTIFACT_MISSING', `Cannot read the npm artifact ${path}.`, {
      hint: 'The DeFi world needs @uniswap/* and @safe-global/safe-contracts installed: run `npx -y pnpm@10.34.9 install`.',
      details: { artifact: path },
      cause,
    })
  }
  const raw = typeof json.bytecode === 'string' ? json.bytecode : ''
  const bytecode = (raw.startsWith('0x') ? raw : `0x${raw}`) as Hex
  // unlinked library slots (`__$…$__`) are not hex until linkBytecode fills them
  if (!/^0x([0-9a-fA-F]|__\$[0-9a-f]{34}\$__)+$/.test(bytecode) || bytecode.length < 4) {
    throw new DevnetError('DEVNET_ARTIFACT_MISSING', `The npm artifact ${path} has no creation bytecode.`, {
      hint: 'Reinstall the package; its build folder may be damaged.',
      details: { artifact: path },
    })
  }
  const artifact = { bytecode, linkReferences: json.linkReferences ?? {} }
  cache.set(name, artifact)
  return artifact
}

/** A source file shipped inside one of the packages (e.g. the periphery's hard-coded init-code hash). */
export function readPackageSource(path: string): string {
  try {
    return readFileSync(requireHere.resolve(path), 'utf8')
  } catch (cause) {
    throw new DevnetError('DEVNET_ARTIFACT_MISSING', `Cannot read ${path} from its npm package.`, {
      hint: 'Reinstall the package: `npx -y pnpm@10.34.9 install`.',
      details: { file: path },
      cause,
    })
  }
}

/** Writes each library address into the bytecode's link slots (the artifact's byte offsets). */
export function linkBytecode(artifact: DefiArtifact, libraries: Record<string, Hex>): Hex {
  let code = artifact.bytecode.slice(2)
  for (const libs of Object.values(artifact.linkReferences)) {
    for (const [lib, slots] of Object.entries(libs)) {
      const address = libraries[lib]
      if (!address) {
        throw new DevnetError('DEVNET_DEPLOY_FAILED', `No address to link library ${lib}.`, {
          hint: 'Deploy the library first and pass its address.',
          details: { library: lib },
        })
      }
      for (const { start, length } of slots) {
        code = code.slice(0, start * 2) + address.slice(2).toLowerCase() + code.slice((start + length) * 2)
      }
    }
  }
  if (!isHex(`0x${code}`)) {
    throw new DevnetError('DEVNET_DEPLOY_FAILED', 'A library link slot was left unlinked.', {
      hint: 'Pass an address for every library the artifact links.',
    })
  }
  return `0x${code}`
}
