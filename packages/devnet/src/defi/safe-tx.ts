import { zeroAddress, type Address, type Hex } from 'viem'

/** A Safe transaction as `execTransaction` takes it (operation 0 = call, 1 = delegatecall). */
export type SafeTransaction = {
  to: Address
  value: bigint
  data: Hex
  operation: 0 | 1
  safeTxGas: bigint
  baseGas: bigint
  gasPrice: bigint
  gasToken: Address
  refundReceiver: Address
  nonce: bigint
}

/** A plain call with no refund: what a 1-of-1 owner executes itself. */
export function safeCall(call: { to: Address; value?: bigint; data?: Hex; nonce: bigint }): SafeTransaction {
  return {
    to: call.to,
    value: call.value ?? 0n,
    data: call.data ?? '0x',
    operation: 0,
    safeTxGas: 0n,
    baseGas: 0n,
    gasPrice: 0n,
    gasToken: zeroAddress,
    refundReceiver: zeroAddress,
    nonce: call.nonce,
  }
}

/** The EIP-712 typed data an owner signs (Safe 1.4.1's SafeTx and domain), for viem's `signTypedData`. */
export function safeTxTypedData(safe: Address, chainId: number, tx: SafeTransaction) {
  return {
    domain: { chainId, verifyingContract: safe },
    types: {
      SafeTx: [
        { name: 'to', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'data', type: 'bytes' },
        { name: 'operation', type: 'uint8' },
        { name: 'safeTxGas', type: 'uint256' },
        { name: 'baseGas', type: 'uint256' },
        { name: 'gasPrice', type: 'uint256' },
        { name: 'gasToken', type: 'address' },
        { name: 'refundReceiver', type: 'address' },
        { name: 'nonce', type: 'uint256' },
      ],
    },
    primaryType: 'SafeTx',
    message: tx,
  } as const
}
