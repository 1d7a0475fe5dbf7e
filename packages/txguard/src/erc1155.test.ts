// ERC-1155 through the verifier on a devnet, with OpenZeppelin's ERC1155 (the test bed's DevMultiToken):
// a send the intent names passes, a batch that also moves another id or pays someone else is held
// against the constraints, and the chain history reads TransferBatch as well as TransferSingle.
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeFunctionData, type Abi, type Address, type Hex, type LocalAccount } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { devMultiTokenAbi, devMultiTokenBytecode } from '@hermit/contracts/testbed'
import { deployAndWait, writeAndWait } from '@hermit/chain'
import { useDevnet } from '@hermit/devnet/testing'
import { ContractFacts, formatReport, verify, type VerifyOptions, type VerifyRequestInput } from './index.ts'
import { extractEffects } from './effects.ts'
import { simulateTransaction } from './simulate.ts'
import { lookalikeOf } from './testing/index.ts'

const net = useDevnet()
let user: LocalAccount
let bob: Address
let carol: Address
let item: Address
let dUSD: Address

beforeAll(async () => {
  const d = net()
  user = d.accounts[1]! as LocalAccount
  bob = d.accounts[4]!.address
  carol = d.accounts[5]!.address
  dUSD = d.deployments.contracts.DevToken!.address
  item = (
    await deployAndWait(d, { name: 'DevMultiToken', abi: devMultiTokenAbi, bytecode: devMultiTokenBytecode, args: [] })
  ).address
  for (const id of [1n, 2n]) await as(user, item, 'mint', [user.address, id, 10n])
  await as(user, dUSD, 'mint', [user.address, 1_000n * 10n ** 6n], devTokenAbi)
}, 60_000)

async function as(
  account: LocalAccount,
  to: Address,
  functionName: string,
  args: unknown[],
  abi: Abi = devMultiTokenAbi,
) {
  const d = net()
  await writeAndWait({ publicClient: d.publicClient, walletClient: d.walletFor(account) }, {
    address: to,
    abi,
    functionName,
    args,
  } as Parameters<typeof writeAndWait>[1])
}

const tx = (data: Hex, to: Address = item): VerifyRequestInput => ({
  chainId: net().chainId,
  from: user.address,
  to,
  data,
  value: '0',
})
const single = (to: Address, id: bigint, amount: bigint) =>
  tx(
    encodeFunctionData({
      abi: devMultiTokenAbi,
      functionName: 'safeTransferFrom',
      args: [user.address, to, id, amount, '0x'],
    }),
  )
const batch = (to: Address, ids: bigint[], amounts: bigint[]) =>
  tx(
    encodeFunctionData({
      abi: devMultiTokenAbi,
      functionName: 'safeBatchTransferFrom',
      args: [user.address, to, ids, amounts, '0x'],
    }),
  )
const dataOf = (r: VerifyRequestInput): Hex => ('data' in r ? (r.data as Hex) : '0x')
const policy = () => ({ addressBook: { bob, carol }, tokens: { ITEM: item, dUSD } })
const check = (request: VerifyRequestInput, intent?: string, over: VerifyOptions = {}) =>
  verify(request, { client: net().publicClient, policy: policy(), ...(intent ? { intent } : {}), ...over })
const ids = (r: Awaited<ReturnType<typeof check>>) => r.reasons.map((f) => f.id)

describe('ERC-1155 in the simulated effects', () => {
  it('TransferSingle and TransferBatch both become transfers, one per id', async () => {
    const d = net()
    const one = await simulateTransaction(d.publicClient, {
      from: user.address,
      to: item,
      data: dataOf(single(bob, 1n, 3n)),
    })
    expect(extractEffects(one).transfers).toEqual([
      expect.objectContaining({
        asset: { kind: 'erc1155', token: item, id: 1n },
        from: user.address,
        to: bob,
        amount: 3n,
      }),
    ])
    const two = await simulateTransaction(d.publicClient, {
      from: user.address,
      to: item,
      data: dataOf(batch(bob, [1n, 2n], [3n, 4n])),
    })
    expect(extractEffects(two).transfers.map((t) => [t.asset, t.amount])).toEqual([
      [{ kind: 'erc1155', token: item, id: 1n }, 3n],
      [{ kind: 'erc1155', token: item, id: 2n }, 4n],
    ])
  })
})

describe('ERC-1155 sends against the intent', () => {
  it('a send of the id and amount the intent names passes (single and as a one-id batch)', async () => {
    for (const request of [single(bob, 1n, 5n), batch(bob, [1n], [5n])]) {
      const r = await check(request, 'send 5 ITEM #1 to bob')
      expect(r.verdict, formatReport(r)).toBe('allow')
    }
  })

  it('a batch that also sends another id blocks (intent.mismatch): only id 1 may leave', async () => {
    const r = await check(batch(bob, [1n, 2n], [5n, 3n]), 'send 5 ITEM #1 to bob')
    expect(r.verdict, formatReport(r)).toBe('block')
    expect(r.reasons.find((f) => f.id === 'intent.mismatch')?.severity, formatReport(r)).toBe('block')
  })

  it('more of the id than the intent names, or to someone else, blocks', async () => {
    const more = await check(single(bob, 1n, 6n), 'send 5 ITEM #1 to bob')
    expect(ids(more), formatReport(more)).toContain('intent.mismatch')
    expect(more.verdict).toBe('block')
    const other = await check(batch(carol, [1n], [5n]), 'send 5 ITEM #1 to bob')
    expect(ids(other), formatReport(other)).toContain('intent.mismatch')
    expect(other.verdict).toBe('block')
  })
})

describe('ERC-1155 in the chain history', () => {
  it('a TransferBatch the user sent makes its recipient a past counterparty; a look-alike of it blocks', async () => {
    const facts = new ContractFacts()
    const dave = net().accounts[6]!.address
    const before = await check(
      tx(encodeFunctionData({ abi: devTokenAbi, functionName: 'transfer', args: [dave, 10n ** 6n] }), dUSD),
      undefined,
      { facts },
    )
    expect(ids(before), formatReport(before)).toContain('recipient.first-interaction')
    await as(user, item, 'safeBatchTransferFrom', [user.address, dave, [1n, 2n], [1n, 1n], '0x'])
    const after = await check(
      tx(encodeFunctionData({ abi: devTokenAbi, functionName: 'transfer', args: [dave, 10n ** 6n] }), dUSD),
      undefined,
      { facts },
    )
    expect(ids(after), formatReport(after)).not.toContain('recipient.first-interaction')
    const fake = lookalikeOf(dave)
    const r = await check(
      tx(encodeFunctionData({ abi: devTokenAbi, functionName: 'transfer', args: [fake, 10n ** 6n] }), dUSD),
      undefined,
      { facts },
    )
    expect(r.reasons.find((f) => f.id === 'recipient.lookalike')?.evidence, formatReport(r)).toMatchObject({
      knownFrom: 'you paid it before',
    })
  })

  it('a zero-value TransferBatch to the user marks its sender as a poisoner', async () => {
    const poisoner = net().accounts[7]! as LocalAccount
    await as(poisoner, item, 'mint', [poisoner.address, 9n, 1n])
    // two ids: OpenZeppelin's ERC1155 logs a one-id batch as a TransferSingle
    await as(poisoner, item, 'safeBatchTransferFrom', [poisoner.address, user.address, [9n, 10n], [0n, 0n], '0x'])
    const r = await check(
      tx(encodeFunctionData({ abi: devTokenAbi, functionName: 'transfer', args: [poisoner.address, 10n ** 6n] }), dUSD),
      undefined,
      { facts: new ContractFacts() },
    )
    expect(ids(r), formatReport(r)).toContain('recipient.poisoning')
  })
})
