// Hermit's registries must be ABI-identical to the official ERC-8004 registries, so one set of bindings works on the
// devnet and on the official deployments. The official repository (erc-8004/erc-8004-contracts) commits no ABI JSON,
// so this compiles its sources, kept verbatim in ./testing/third_party/erc-8004-contracts (provenance: SOURCES.json there), with solc-js and
// compares them with the generated bindings of ours: every function (selector, stateMutability, output types), every
// event (topic, indexed flags) and every error. What differs by design is listed below with its reason; any other
// difference, on either side, fails.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'
import { type Abi, type AbiParameter, keccak256, parseAbiItem, toBytes } from 'viem'
import { beforeAll, describe, expect, it } from 'vitest'

const OFFICIAL_DIR = join(dirname(fileURLToPath(import.meta.url)), 'testing', 'third_party', 'erc-8004-contracts')
const MARKER = '// ---- verbatim copy below this line ----\n'

type Official = 'IdentityRegistryUpgradeable' | 'ReputationRegistryUpgradeable' | 'ValidationRegistryUpgradeable'
type SourceRecord = { repository: string; path: string; commit: string | null; chars: number; sha256: string }
const SOURCES = JSON.parse(readFileSync(join(OFFICIAL_DIR, 'SOURCES.json'), 'utf8')) as {
  files: Record<`${Official}.sol`, SourceRecord>
}
const verbatim = (name: Official): string => {
  const text = readFileSync(join(OFFICIAL_DIR, `${name}.sol`), 'utf8')
  return text.slice(text.indexOf(MARKER) + MARKER.length)
}

// ---------------------------------------------------------------- by-design differences

/** The official registries are UUPS proxy implementations with an owner who may upgrade them; Hermit's are plain
 *  contracts, set up by their constructor and never upgraded (README, ERC-8004 section). So only the official side has: */
const UPGRADEABLE: Record<string, string> = {
  'function UPGRADE_INTERFACE_VERSION()': 'UUPS (ERC-1822) upgrade interface',
  'function proxiableUUID()': 'UUPS (ERC-1822) upgrade interface',
  'function upgradeToAndCall(address,bytes)': 'UUPS upgrade',
  'function owner()': 'the upgrade owner (Ownable)',
  'function transferOwnership(address)': 'the upgrade owner (Ownable)',
  'function renounceOwnership()': 'the upgrade owner (Ownable)',
  'event Initialized(uint64)': 'a proxy is initialized, not constructed (Initializable)',
  'event Upgraded(address)': 'ERC-1967 upgrade',
  'event OwnershipTransferred(address,address)': 'the upgrade owner (Ownable)',
  'error InvalidInitialization()': 'Initializable',
  'error NotInitializing()': 'Initializable',
  'error OwnableUnauthorizedAccount(address)': 'the upgrade owner (Ownable)',
  'error OwnableInvalidOwner(address)': 'the upgrade owner (Ownable)',
  'error ERC1967InvalidImplementation(address)': 'ERC-1967 upgrade',
  'error ERC1967NonPayable()': 'ERC-1967 upgrade',
  'error UUPSUnauthorizedCallContext()': 'UUPS upgrade',
  'error UUPSUnsupportedProxiableUUID(bytes32)': 'UUPS upgrade',
  'error AddressEmptyCode(address)': "the upgrade's delegatecall (Address)",
  'error FailedCall()': "the upgrade's delegatecall (Address)",
}

/** The official identity source at the pinned commit reverts with custom errors where ours reverts with the strings of
 *  the ERC-8004 2.0.0 text (ContractRevertError's `reason`, README). Not upgradeability: a difference from this
 *  revision (SOURCES.json says more), kept here so that it stays visible. */
const IDENTITY_CUSTOM_ERRORS: Record<string, string> = {
  'error NotAuthorized()': "ours: require(..., 'Not authorized')",
  'error ReservedKey()': "ours: require(..., 'reserved key')",
  'error BadWallet()': "ours: require(..., 'bad wallet')",
  'error Expired()': "ours: require(..., 'expired')",
  'error DeadlineTooFar()': "ours: require(..., 'deadline too far')",
  'error InvalidWalletSignature()': "ours: require(..., 'invalid wallet sig')",
}

const REGISTRIES: {
  name: string
  official: Official
  ours: Abi
  onlyOfficial: Record<string, string>
  onlyOurs: Record<string, string>
}[] = [
  {
    name: 'IdentityRegistry',
    official: 'IdentityRegistryUpgradeable',
    ours: identityRegistryAbi as Abi,
    onlyOfficial: {
      ...UPGRADEABLE,
      'function initialize()': 'the proxy initializer (ERC-721 name/symbol, EIP-712 domain); ours has a constructor',
      ...IDENTITY_CUSTOM_ERRORS,
    },
    onlyOurs: {
      'error InvalidShortString()': "OpenZeppelin's constructed EIP712 keeps name/version as immutable ShortStrings",
      'error StringTooLong(string)': "OpenZeppelin's constructed EIP712 keeps name/version as immutable ShortStrings",
    },
  },
  {
    name: 'ReputationRegistry',
    official: 'ReputationRegistryUpgradeable',
    ours: reputationRegistryAbi as Abi,
    onlyOfficial: { ...UPGRADEABLE, 'function initialize(address)': 'the proxy initializer; ours has a constructor' },
    onlyOurs: {},
  },
  {
    name: 'ValidationRegistry',
    official: 'ValidationRegistryUpgradeable',
    ours: validationRegistryAbi as Abi,
    onlyOfficial: { ...UPGRADEABLE, 'function initialize(address)': 'the proxy initializer; ours has a constructor' },
    onlyOurs: {},
  },
]

// ---------------------------------------------------------------- the ERC-8004 text

// The registries' interfaces as the ERC text (and the issue) write them: both sides must have all of it.
const ERC8004_TEXT: Record<Official, string[]> = {
  IdentityRegistryUpgradeable: [
    'function register()',
    'function register(string agentURI)',
    'function register(string agentURI, (string metadataKey, bytes metadataValue)[] metadata)',
    'function setAgentURI(uint256 agentId, string newURI)',
    'function getMetadata(uint256 agentId, string metadataKey)',
    'function setMetadata(uint256 agentId, string metadataKey, bytes metadataValue)',
    'function setAgentWallet(uint256 agentId, address newWallet, uint256 deadline, bytes signature)',
    'function getAgentWallet(uint256 agentId)',
    'function unsetAgentWallet(uint256 agentId)',
    'function isAuthorizedOrOwner(address spender, uint256 agentId)',
    'function getVersion()',
    'event Registered(uint256 indexed agentId, string agentURI, address indexed owner)',
    'event MetadataSet(uint256 indexed agentId, string indexed indexedMetadataKey, string metadataKey, bytes metadataValue)',
    'event URIUpdated(uint256 indexed agentId, string newURI, address indexed updatedBy)',
  ],
  ReputationRegistryUpgradeable: [
    'function giveFeedback(uint256 agentId, int128 value, uint8 valueDecimals, string tag1, string tag2, string endpoint, ' +
      'string feedbackURI, bytes32 feedbackHash)',
    'function revokeFeedback(uint256 agentId, uint64 feedbackIndex)',
    'function appendResponse(uint256 agentId, address clientAddress, uint64 feedbackIndex, string responseURI, bytes32 responseHash)',
    'function getLastIndex(uint256 agentId, address clientAddress)',
    'function readFeedback(uint256 agentId, address clientAddress, uint64 feedbackIndex)',
    'function getSummary(uint256 agentId, address[] clientAddresses, string tag1, string tag2)',
    'function readAllFeedback(uint256 agentId, address[] clientAddresses, string tag1, string tag2, bool includeRevoked)',
    'function getResponseCount(uint256 agentId, address clientAddress, uint64 feedbackIndex, address[] responders)',
    'function getClients(uint256 agentId)',
    'function getIdentityRegistry()',
    'function getVersion()',
    'event NewFeedback(uint256 indexed agentId, address indexed clientAddress, uint64 feedbackIndex, int128 value, ' +
      'uint8 valueDecimals, string indexed indexedTag1, string tag1, string tag2, string endpoint, string feedbackURI, ' +
      'bytes32 feedbackHash)',
    'event FeedbackRevoked(uint256 indexed agentId, address indexed clientAddress, uint64 indexed feedbackIndex)',
    'event ResponseAppended(uint256 indexed agentId, address indexed clientAddress, uint64 feedbackIndex, ' +
      'address indexed responder, string responseURI, bytes32 responseHash)',
  ],
  ValidationRegistryUpgradeable: [
    'function validationRequest(address validatorAddress, uint256 agentId, string requestURI, bytes32 requestHash)',
    'function validationResponse(bytes32 requestHash, uint8 response, string responseURI, bytes32 responseHash, string tag)',
    'function getValidationStatus(bytes32 requestHash)',
    'function getSummary(uint256 agentId, address[] validatorAddresses, string tag)',
    'function getAgentValidations(uint256 agentId)',
    'function getValidatorRequests(address validatorAddress)',
    'function getIdentityRegistry()',
    'function getVersion()',
    'event ValidationRequest(address indexed validatorAddress, uint256 indexed agentId, string requestURI, ' +
      'bytes32 indexed requestHash)',
    'event ValidationResponse(address indexed validatorAddress, uint256 indexed agentId, bytes32 indexed requestHash, ' +
      'uint8 response, string responseURI, bytes32 responseHash, string tag)',
  ],
}

// ---------------------------------------------------------------- ABI → comparable entries

const canonical = (p: AbiParameter): string =>
  p.type.startsWith('tuple') && 'components' in p
    ? `(${p.components.map(canonical).join(',')})${p.type.slice('tuple'.length)}`
    : p.type
const hash = (signature: string) => keccak256(toBytes(signature))

/** `kind name(types)` → what else must agree: selector/topic, mutability and outputs, indexed flags. Constructors are
 *  left out: they are not part of a deployed registry's interface (the official ones are constructed empty). */
function entries(abi: Abi): Map<string, string> {
  const out = new Map<string, string>()
  for (const item of abi) {
    if (item.type === 'constructor') continue
    if (item.type === 'fallback' || item.type === 'receive') {
      out.set(item.type, item.stateMutability)
      continue
    }
    const signature = `${item.name}(${item.inputs.map(canonical).join(',')})`
    if (item.type === 'function') {
      const returns = item.outputs.map(canonical).join(',')
      out.set(`function ${signature}`, `${hash(signature).slice(0, 10)} ${item.stateMutability} returns (${returns})`)
    } else if (item.type === 'event') {
      const indexed = item.inputs.map((i) => (i.indexed ? 'indexed' : '-')).join(',')
      out.set(`event ${signature}`, `${hash(signature)} [${indexed}]${item.anonymous ? ' anonymous' : ''}`)
    } else {
      out.set(`error ${signature}`, hash(signature).slice(0, 10))
    }
  }
  return out
}

function difference(official: Map<string, string>, ours: Map<string, string>) {
  return {
    onlyOfficial: [...official.keys()].filter((k) => !ours.has(k)).sort(),
    onlyOurs: [...ours.keys()].filter((k) => !official.has(k)).sort(),
    changed: [...official]
      .filter(([k, v]) => ours.has(k) && ours.get(k) !== v)
      .map(([k, v]) => `${k}: official ${v}, ours ${ours.get(k)}`),
  }
}

// ---------------------------------------------------------------- compiling the official sources

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[]
  contracts?: Record<string, Record<string, { abi: Abi }>>
}
const require = createRequire(import.meta.url)
const solc = require('solc') as {
  compile(input: string, callbacks: { import(path: string): { contents: string } | { error: string } }): string
}

/** One solc-js run for all three (ABI output only); imports come from the npm packages, nothing is cached. */
function compileOfficial(): Record<Official, Abi> {
  const upgradeable = dirname(require.resolve('@openzeppelin/contracts-upgradeable/package.json'))
  const fromUpgradeable = createRequire(join(upgradeable, 'package.json'))
  const roots: [string, string][] = [
    ['@openzeppelin/contracts-upgradeable/', upgradeable],
    ['@openzeppelin/contracts/', dirname(fromUpgradeable.resolve('@openzeppelin/contracts/package.json'))],
  ]
  const names = REGISTRIES.map((r) => r.official)
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(names.map((n) => [`${n}.sol`, { content: verbatim(n) }])),
    settings: { outputSelection: { '*': { '*': ['abi'] } } },
  }
  const findImport = (path: string) => {
    const root = roots.find(([prefix]) => path.startsWith(prefix))
    if (!root) return { error: `not an OpenZeppelin import: ${path}` }
    return { contents: readFileSync(join(root[1], path.slice(root[0].length)), 'utf8') }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  return Object.fromEntries(
    names.map((n) => {
      const abi = output.contracts?.[`${n}.sol`]?.[n]?.abi
      if (!abi) throw new Error(`solc gave no ABI for ${n}`)
      return [n, abi]
    }),
  ) as Record<Official, Abi>
}

// ---------------------------------------------------------------- tests

describe("Hermit's ERC-8004 registries are ABI-identical to the official erc-8004/erc-8004-contracts registries", () => {
  let official: Record<Official, Abi>
  beforeAll(() => {
    official = compileOfficial()
  })

  it('keeps the official sources verbatim, as SOURCES.json records them (repository, path, commit, hash)', () => {
    for (const { official: name } of REGISTRIES) {
      const record = SOURCES.files[`${name}.sol`]
      const header = readFileSync(join(OFFICIAL_DIR, `${name}.sol`), 'utf8').split(MARKER)[0] ?? ''
      const body = verbatim(name)
      expect({ chars: body.length, sha256: createHash('sha256').update(body).digest('hex') }).toEqual({
        chars: record.chars,
        sha256: record.sha256,
      })
      expect(record.repository).toBe('erc-8004/erc-8004-contracts')
      expect(header).toContain(`${record.repository}, ${record.path}, commit ${record.commit ?? 'NOT KNOWN'}`)
    }
  })

  const same = 'every function (selector, mutability, outputs), event (topic, indexed) and error is the official one'
  for (const r of REGISTRIES) {
    it(`${r.name}: ${same}, but for the listed by-design differences`, () => {
      expect(difference(entries(official[r.official]), entries(r.ours))).toEqual({
        onlyOfficial: Object.keys(r.onlyOfficial).sort(),
        onlyOurs: Object.keys(r.onlyOurs).sort(),
        changed: [],
      })
    })
  }

  it('both the official registries and ours have every function and event the ERC-8004 text defines', () => {
    for (const r of REGISTRIES) {
      const text = [...entries(ERC8004_TEXT[r.official].map((s) => parseAbiItem(s)) as Abi).keys()]
      const [theirs, ours] = [entries(official[r.official]), entries(r.ours)]
      expect({
        registry: r.name,
        notOfficial: text.filter((k) => !theirs.has(k)),
        notOurs: text.filter((k) => !ours.has(k)),
      }).toEqual({ registry: r.name, notOfficial: [], notOurs: [] })
    }
  })

  it('answers the selectors wallets and explorers know for register', () => {
    const selectors = [...entries(identityRegistryAbi as Abi).values()].map((v) => v.slice(0, 10))
    expect(selectors).toContain('0xf2c298be') // register(string)
    expect(selectors).toContain('0x1aa3a008') // register()
  })
})
