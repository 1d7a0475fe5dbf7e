import { erc20Abi, getAddress, type Address, type PublicClient } from 'viem'
import { normalize } from 'viem/ens'

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
  /** null = the chain has no ENS: an ENS name is an error, never a guess. */
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
  /**
   * ENS's universal resolver, for a fork of a chain with ENS whose viem chain does not name it
   * (the devnet's chain never does). Without it, ENS works only when `client.chain` names one.
   */
  ensUniversalResolver?: Address
}

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

/** Facts read from a live chain through `client`; ENS only when the chain has a universal resolver. */
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
  const resolver = options.ensUniversalResolver ?? chain.contracts?.ensUniversalResolver?.address
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
    ens:
      resolver === undefined
        ? null
        : async (name) =>
            (await client.getEnsAddress({ name: normalize(name), universalResolverAddress: resolver })) ?? null,
  }
}
