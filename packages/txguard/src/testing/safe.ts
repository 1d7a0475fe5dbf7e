/**
 * TEST BED: the DeFi world's Safe 1.4.1 (the singleton, the proxy factory and MultiSend from
 * `@safe-global/safe-contracts`, deployed by `@hermit/devnet`) and its seeded 1-of-1 Safe, with the
 * calldata of an `execTransaction` its owner can send without collecting signatures (Safe's
 * "pre-validated" signature: the sender is the owner).
 */
import {
  concat,
  encodeFunctionData,
  encodePacked,
  isAddressEqual,
  pad,
  size,
  zeroAddress,
  type Abi,
  type Address,
  type Hex,
  type LocalAccount,
} from 'viem'
import { multiSendAbi, safeAbi, type Devnet } from '@hermit/devnet'
import { defiWorldOf } from './defi.ts'

export type SafeBed = {
  singleton: Address
  factory: Address
  multiSend: Address
  /** The world's 1-of-1 Safe, owned by `owner`. */
  safe: Address
  owner: LocalAccount
}

/** The devnet's seeded Safe (deploying the DeFi world first when the devnet was started without it). */
export async function worldSafe(devnet: Devnet): Promise<SafeBed> {
  const { safe } = await defiWorldOf(devnet)
  const [ownerAddress] = safe.account.owners
  const owner = devnet.accounts.find((a) => isAddressEqual(a.address, ownerAddress as Address))
  if (!owner || safe.account.threshold !== 1) throw new Error('the DeFi world Safe is not a 1-of-1 of a dev account')
  return {
    singleton: safe.singleton,
    factory: safe.proxyFactory,
    multiSend: safe.multiSend,
    safe: safe.account.address,
    owner: owner as LocalAccount,
  }
}

/** The signature Safe accepts without any signing when the transaction's sender is that owner (v = 1). */
export const prevalidated = (owner: Address): Hex => concat([pad(owner), pad('0x0'), '0x01'])

/** Calldata of `safe.execTransaction(to, value, data, operation)` from its 1-of-1 owner. */
export function execTransaction(
  bed: SafeBed,
  call: { to: Address; value?: bigint; data: Hex; operation?: 0 | 1 },
): Hex {
  return encodeFunctionData({
    abi: safeAbi,
    functionName: 'execTransaction',
    args: [
      call.to,
      call.value ?? 0n,
      call.data,
      call.operation ?? 0,
      0n,
      0n,
      0n,
      zeroAddress,
      zeroAddress,
      prevalidated(bed.owner.address),
    ],
  })
}

/** Calldata of a Safe configuration call (`addOwnerWithThreshold`, `enableModule`, …) on the Safe itself. */
export const safeCall = (functionName: string, args: unknown[]): Hex =>
  encodeFunctionData({ abi: safeAbi as Abi, functionName, args })

/** MultiSend's packed batch: operation (1) | to (20) | value (32) | data length (32) | data, per call. */
export function multiSend(calls: Array<{ to: Address; value?: bigint; data: Hex }>): Hex {
  const packed = concat(
    calls.map((c) =>
      encodePacked(
        ['uint8', 'address', 'uint256', 'uint256', 'bytes'],
        [0, c.to, c.value ?? 0n, BigInt(size(c.data)), c.data],
      ),
    ),
  )
  return encodeFunctionData({ abi: multiSendAbi, functionName: 'multiSend', args: [packed] })
}
