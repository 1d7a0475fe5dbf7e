// The registries must be ABI-identical to the official ERC-8004 v2 deployments: every selector
// and event topic below is computed from the signatures as the ERC (and the issue) write them.
import { describe, expect, it } from 'vitest'
import { toEventSelector, toFunctionSelector, type Abi, type AbiFunction, type AbiEvent } from 'viem'
import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'

const ERC8004 = {
  identity: {
    functions: [
      'register()',
      'register(string agentURI)',
      'register(string agentURI, (string metadataKey, bytes metadataValue)[] metadata)',
      'setAgentURI(uint256 agentId, string newURI)',
      'getMetadata(uint256 agentId, string metadataKey)',
      'setMetadata(uint256 agentId, string metadataKey, bytes metadataValue)',
      'setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes signature)',
      'getAgentWallet(uint256 agentId)',
      'unsetAgentWallet(uint256 agentId)',
      'isAuthorizedOrOwner(address spender, uint256 agentId)',
      'getVersion()',
    ],
    events: [
      'Registered(uint256 indexed agentId, string agentURI, address indexed owner)',
      'MetadataSet(uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue)',
      'URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy)',
    ],
  },
  reputation: {
    functions: [
      'giveFeedback(uint256 agentId, int128 value, uint8 valueDecimals, string tag1, string tag2, string endpoint, string feedbackURI, bytes32 feedbackHash)',
      'revokeFeedback(uint256 agentId, uint64 feedbackIndex)',
      'appendResponse(uint256 agentId, address clientAddress, uint64 feedbackIndex, string responseURI, bytes32 responseHash)',
      'getLastIndex(uint256 agentId, address clientAddress)',
      'readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)',
      'getSummary(uint256 agentId, address[] clientAddresses, string tag1, string tag2)',
      'readAllFeedback(uint256 agentId, address[] clientAddresses, string tag1, string tag2, bool includeRevoked)',
      'getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex, address[] responders)',
      'getClients(uint256 agentId)',
      'getIdentityRegistry()',
      'getVersion()',
    ],
    events: [
      'NewFeedback(uint256 indexed agentId, address indexed clientAddress, uint64 feedbackIndex, int128 value, ' +
        'uint8 valueDecimals, string indexed indexedTag1, string tag1, string tag2, string endpoint, string feedbackURI, ' +
        'bytes32 feedbackHash)',
      'FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex)',
      'ResponseAppended(uint256 indexed agentId, address indexed clientAddress, uint64 feedbackIndex, ' +
        'address indexed responder, string responseURI, bytes32 responseHash)',
    ],
  },
  validation: {
    functions: [
      'validationRequest(address validatorAddress, uint256 agentId, string requestURI, bytes32 requestHash)',
      'validationResponse(bytes32 requestHash, uint8 response, string responseURI, bytes32 responseHash, string tag)',
      'getValidationStatus(bytes32 requestHash)',
      'getSummary(uint256 agentId, address[] validatorAddresses, string tag)',
      'getAgentValidations(uint256 agentId)',
      'getValidatorRequests(address validatorAddress)',
      'getIdentityRegistry()',
      'getVersion()',
    ],
    events: [
      'ValidationRequest(address indexed validatorAddress, uint256 indexed agentId, string requestURI, bytes32 indexed requestHash)',
      'ValidationResponse(address indexed validatorAddress, uint256 indexed agentId, bytes32 indexed requestHash, ' +
        'uint8 response, string responseURI, bytes32 responseHash, string tag)',
    ],
  },
}

// The identity registry is an ERC-721 (with ERC-4906 metadata events) and an EIP-712 signer (EIP-5267).
const ERC721 = {
  functions: [
    'balanceOf(address owner)',
    'ownerOf(uint256 tokenId)',
    'name()',
    'symbol()',
    'tokenURI(uint256 tokenId)',
    'approve(address to, uint256 tokenId)',
    'getApproved(uint256 tokenId)',
    'setApprovalForAll(address operator, bool approved)',
    'isApprovedForAll(address owner, address operator)',
    'transferFrom(address from, address to, uint256 tokenId)',
    'safeTransferFrom(address from, address to, uint256 tokenId)',
    'safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
    'supportsInterface(bytes4 interfaceId)',
    'eip712Domain()',
  ],
  events: [
    'Transfer(address indexed from, address indexed to, uint256 indexed tokenId)',
    'Approval(address indexed owner, address indexed approved, uint256 indexed tokenId)',
    'ApprovalForAll(address indexed owner, address indexed operator, bool approved)',
    'MetadataUpdate(uint256 _tokenId)',
    'BatchMetadataUpdate(uint256 _fromTokenId, uint256 _toTokenId)',
    'EIP712DomainChanged()',
  ],
}

const selectorsOf = (abi: Abi) => ({
  functions: new Set(abi.filter((i): i is AbiFunction => i.type === 'function').map((f) => toFunctionSelector(f))),
  events: new Set(abi.filter((i): i is AbiEvent => i.type === 'event').map((e) => toEventSelector(e))),
})

const expected = (spec: { functions: string[]; events: string[] }) => ({
  functions: new Set(spec.functions.map((s) => toFunctionSelector(`function ${s}`))),
  events: new Set(spec.events.map((s) => toEventSelector(`event ${s}`))),
})

describe('ERC-8004 ABI identity', () => {
  it('IdentityRegistry has exactly the ERC-8004 + ERC-721 functions and events', () => {
    const want = expected({
      functions: [...ERC8004.identity.functions, ...ERC721.functions],
      events: [...ERC8004.identity.events, ...ERC721.events],
    })
    expect(selectorsOf(identityRegistryAbi as Abi)).toEqual(want)
  })

  it('ReputationRegistry has exactly the ERC-8004 functions and events', () => {
    expect(selectorsOf(reputationRegistryAbi as Abi)).toEqual(expected(ERC8004.reputation))
  })

  it('ValidationRegistry has exactly the ERC-8004 functions and events', () => {
    expect(selectorsOf(validationRegistryAbi as Abi)).toEqual(expected(ERC8004.validation))
  })

  it('answers the selectors wallets and explorers know for register', () => {
    const { functions } = selectorsOf(identityRegistryAbi as Abi)
    expect(functions.has('0xf2c298be')).toBe(true) // register(string)
    expect(functions.has('0x1aa3a008')).toBe(true) // register()
  })
})
