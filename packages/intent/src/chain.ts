import { erc20Abi, getAddress, zeroAddress, type Address, type PublicClient } from 'viem'
import { namehash, normalize } from 'viem/ens'
import { ResolveError } from './errors.ts'

export type TokenStandard = 'erc20' | 'erc721' | 'erc1155'

/**
 * What resolution needs to know about a chain. `chainFacts(client)` reads it from a viem client;
 * `symbolicChain` (in symbolic.ts) answers without one, for comparing two readings of words.
 */
export type ChainFacts = {
  chainId: number
  /** "ETH": a symbol the user writes for the native coin. */
  nativeSymbol: string
  /** The wrapped native token (WETH9) when known; the token list's "WETH" is looked up first. */
  wrappedNative: Address | null
  decimals(token: Address): Promise<number>
  standard(token: Address): Promise<TokenStandard>
  /** Tokens on the chain whose own `symbol()` is `symbol` (case-insensitive): unverified matches. */
  findTokens(symbol: string): Promise<Address[]>
  /**
   * An ENS name's address, null when the name has none. null = this reader has no chain to ask;
   * on a chain without ENS the lookup itself throws INTENT_ENS_UNAVAILABLE. Never a guess.
   */
  ens: ((name: string) => Promise<Address | null>) | null
}

export type ChainFactsOptions = {
  /** The wrapped native token, e.g. the devnet's WETH9 deployment. */
  wrappedNative?: Address
  /**
   * Token contracts on this chain that a symbol may be looked up among (deployments, the tokens a
   * transaction touches). Their `symbol()` is chain data: a match is marked unverified.
   */
  knownTokens?: Address[]
  /** The ENS registry to ask; the canonical one (ENS_REGISTRY, the same address on every chain with ENS) by default. */
  ensRegistry?: Address
}

/** ENS's registry: deployed at this address on Ethereum mainnet and its testnets, so on any fork of them. */
export const ENS_REGISTRY = getAddress('0x00000000000C2E074eC69A0dFb2997BA6C7d2e1e')

// EIP-137: the registry names a node's resolver; the resolver names its address
const ENS_REGISTRY_ABI = [
  {
    type: 'function',
    name: 'resolver',
    stateMutability: 'view',
    inputs: [{ name: 'node', type: 'bytes32' }],
    outputs: [{ type: 'address' }],
  },
] as const
const ENS_RESOLVER_ABI = [
  {
    type: 'function',
    name: 'addr',
    stateMutability: 'view',
    inputs: [{ name: 'node', type: 'bytes32' }],
    outputs: [{ type: 'address' }],
  },
] as const

const ERC165 = [
  {
    type: 'function',
    name: 'supportsInterface',
    stateMutability: 'view',
    inputs: [{ name: 'interfaceId', type: 'bytes4' }],
    outputs: [{ type: 'bool' }],
  },
] as const
const ERC721_ID = '0x80ac58cd'
const ERC1155_ID = '0xd9b67a26'

/** Facts read from a live chain through `client`; ENS names through the chain's ENS registry, when it has one. */
export function chainFacts(client: PublicClient, options: ChainFactsOptions = {}): ChainFacts {
  const chain = client.chain
  if (!chain) throw new TypeError('chainFacts: the client needs a chain')
  const supports = async (token: Address, id: `0x${string}`): Promise<boolean> => {
    try {
      return await client.readContract({ address: token, abi: ERC165, functionName: 'supportsInterface', args: [id] })
    } catch {
      // an ERC-20 without ERC-165 reverts here: that is an answer ("no"), not a failure
      return false
    }
  }
  const registry = getAddress(options.ensRegistry ?? ENS_REGISTRY)
  return {
    chainId: chain.id,
    nativeSymbol: chain.nativeCurrency.symbol,
    wrappedNative: options.wrappedNative === undefined ? null : getAddress(options.wrappedNative),
    async decimals(token) {
      return client.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })
    },
    async standard(token) {
      const code = await client.getCode({ address: token })
      if (code === undefined || code === '0x') throw new Error(`no contract at ${token}`)
      if (await supports(token, ERC721_ID)) return 'erc721'
      if (await supports(token, ERC1155_ID)) return 'erc1155'
      return 'erc20'
    },
    async findTokens(symbol) {
      const out: Address[] = []
      for (const token of options.knownTokens ?? []) {
        const own = await client
          .readContract({ address: token, abi: erc20Abi, functionName: 'symbol' })
          .catch(() => null)
        if (own !== null && own.toUpperCase() === symbol.toUpperCase()) out.push(getAddress(token))
      }
      return out
    },
    async ens(name) {
      // the registry's code is what says the chain has ENS (a fork of mainnet does, a devnet or most L2s do not)
      const code = await client.getCode({ address: registry })
      if (code === undefined || code === '0x')
        throw new ResolveError(
          'INTENT_ENS_UNAVAILABLE',
          `"${name}" is an ENS name, and chain ${chain.id} has no ENS (no registry at ${registry}).`,
          {
            hint: `Add "${name}" to the address book (addressBook: { "${name}": "0x…" }), or write the address itself.`,
            details: { name, chainId: chain.id, registry },
          },
        )
      const node = namehash(normalize(name))
      const resolver = await client.readContract({
        address: registry,
        abi: ENS_REGISTRY_ABI,
        functionName: 'resolver',
        args: [node],
      })
      if (resolver === zeroAddress) return null
      const address = await client.readContract({
        address: resolver,
        abi: ENS_RESOLVER_ABI,
        functionName: 'addr',
        args: [node],
      })
      return address === zeroAddress ? null : getAddress(address)
    },
  }
}
