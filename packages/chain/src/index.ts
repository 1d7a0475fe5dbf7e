/**
 * @hermit/chain: the viem plumbing every chain-facing Hermit package uses, written once. A write is
 * simulated, sent and waited for (`writeAndWait`), and a revert comes back as a typed
 * `ContractRevertError` with the contract's reason; logs are read in pages; files are written
 * atomically. Every function takes the client it acts on: no globals.
 */
export {
  writeAndWait,
  deployAndWait,
  readContract,
  revertReason,
  requireWallet,
  type WriteCall,
  type WriteClients,
  type Wallet,
  type Reader,
} from './write.ts'
export { getLogsPaged, type PagedLogsOptions } from './logs.ts'
export { writeFileAtomic } from './files.ts'
export { ChainError, ContractRevertError, CHAIN_ERROR_CODES, type ChainErrorCode } from './errors.ts'
export {
  sealSecret,
  openSecret,
  saveAccountKeystore,
  newAccountKeystore,
  loadAccountKeystore,
  keystoreAddress,
  DEFAULT_SCRYPT_N,
  MIN_PASSWORD_LENGTH,
  type Sealed,
} from './keystore.ts'
