/**
 * An offline selector table for calls no bundled ABI decodes: common functions across DeFi, NFTs,
 * bridges and wallets, as text signatures. Decoding with it names the function and decodes the
 * arguments by type (no names).
 */
import { parseAbiItem, toFunctionSelector, type AbiFunction, type Hex } from 'viem'

const SIGNATURES = [
  'claim()',
  'claim(address)',
  'claim(uint256,address,uint256,bytes32[])',
  'claimRewards()',
  'mint(uint256)',
  'mint(address,uint256)',
  'publicMint(uint256)',
  'stake(uint256)',
  'unstake(uint256)',
  'withdraw()',
  'withdraw(uint256)',
  'withdraw(uint256,address,address)',
  'deposit(uint256)',
  'deposit(uint256,address)',
  'redeem(uint256,address,address)',
  'borrow(address,uint256,uint256,uint16,address)',
  'repay(address,uint256,uint256,address)',
  'supply(address,uint256,address,uint16)',
  'bridge(address,uint256,uint256)',
  'depositETH(address,address,uint16)',
  'multicall(bytes[])',
  'setApprovalForAll(address,bool)',
  'safeTransferFrom(address,address,uint256)',
  'transferOwnership(address)',
  'renounceOwnership()',
  'upgradeTo(address)',
  'upgradeToAndCall(address,bytes)',
  'execute(address,uint256,bytes)',
  'executeBatch(address[],uint256[],bytes[])',
  'fulfillBasicOrder((address,uint256,uint256,address,address,address,uint256,uint256,uint8,uint256,uint256,' +
    'bytes32,uint256,bytes32,bytes32,uint256,(uint256,address)[],bytes))',
  'cancel((address,address,(uint8,address,uint256,uint256,uint256)[],(uint8,address,uint256,uint256,uint256,address)[],' +
    'uint8,uint256,uint256,bytes32,uint256,bytes32,uint256)[])',
  'incrementCounter()',
  'delegate(address)',
  'vote(uint256,bool)',
  'castVote(uint256,uint8)',
  'register(string,address,uint256,bytes32,address,bytes[],bool,uint16)',
  'setText(bytes32,string,string)',
]

const table = new Map<Hex, AbiFunction>()
for (const sig of SIGNATURES) {
  const item = parseAbiItem(`function ${sig}`) as AbiFunction
  table.set(toFunctionSelector(item), item)
}

export function lookupSelector(selector: Hex): AbiFunction | undefined {
  return table.get(selector.toLowerCase() as Hex)
}

export const selectorTableSize = table.size
