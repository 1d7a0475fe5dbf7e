import {
  AbiDecodingDataSizeTooSmallError,
  AbiDecodingZeroDataError,
  BaseError,
  ContractFunctionZeroDataError,
} from 'viem'
import { ContractRevertError } from '@hermit/chain'

/**
 * Whether a failed contract read says "not that kind of contract": no code there (zero data), a
 * getter that reverts, or an answer too short to decode. The user's address is wrong (65), not the
 * CLI (70): `--pool` that is not a CreditPool, `--token` that is not an ERC-20.
 */
export function notThatContract(error: unknown): boolean {
  const notOne = (e: unknown) =>
    e instanceof ContractRevertError ||
    e instanceof ContractFunctionZeroDataError ||
    e instanceof AbiDecodingZeroDataError ||
    e instanceof AbiDecodingDataSizeTooSmallError
  return notOne(error) || (error instanceof BaseError && error.walk(notOne) !== null)
}
