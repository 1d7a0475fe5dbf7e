import { erc20Abi, parseEther, parseEventLogs, parseUnits, type Address } from 'viem'
import { describe, expect, it } from 'vitest'
import {
  agenticCommerceAbi,
  creditPoolAbi,
  devTokenAbi,
  identityRegistryAbi,
  reputationRegistryAbi,
} from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { weth9Abi } from '@hermit/devnet'
import { ZkIdentity } from '@hermit/zkpay'
import { devnetPool } from '@hermit/zkpay/testing'
import { propose } from '../propose.ts'
import { sendProposal } from '../send.ts'
import { fund } from '../testing/index.ts'
import { catalogueProposeOptions, devUsd, fundDevUsd, journalPath, writeAbiFile } from '../testing/catalogue.ts'
import { depositNonceOf } from './plan.ts'
import { readAbiFile } from './abi.ts'

const net = useDevnet({ world: 'defi' })
const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
const carol = () => net().accounts[3]!.address
const options = (extra = {}) => catalogueProposeOptions(net(), user(), { bob: bob(), carol: carol() }, extra)
const send = (p: Awaited<ReturnType<typeof propose>>) =>
  sendProposal(p, { client: net().publicClient, account: user(), journal: journalPath() })
const nonce = () => net().publicClient.getTransactionCount({ address: user().address })
const identityRegistry = () => net().deployments.contracts.IdentityRegistry!.address

/** An agent registered by dev account 4 (an agent's owner cannot rate it). */
async function someAgent(): Promise<bigint> {
  const wallet = net().walletFor(net().accounts[4]!)
  const hash = await wallet.writeContract({
    address: identityRegistry(),
    abi: identityRegistryAbi,
    functionName: 'register',
    args: ['https://agents.example/rated.json'],
  })
  const receipt = await net().publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
  return parseEventLogs({ abi: identityRegistryAbi, eventName: 'Registered', logs: receipt.logs })[0]!.args.agentId
}

describe('the catalogue, without a model: ERC-8004, escrow, ZK pool, generic call', () => {
  it('ERC-8004 register: IdentityRegistry.register(uri) with the URI exactly as written, allowed, lands', async () => {
    const uri = 'https://agents.example/Hermit-Agent.json'
    const p = await propose(`register my agent at ${uri}`, options())
    expect(p.reading.model.consulted).toBe(false)
    expect(p.steps.map((s) => [s.action.kind, s.call.to, s.call.value])).toEqual([
      ['erc8004.register', identityRegistry(), 0n],
    ])
    expect(p.verdict).toBe('allow')
    const r = await send(p)
    expect(r.differences).toEqual([])
    const receipt = await net().publicClient.getTransactionReceipt({ hash: r.sent[0]!.hash })
    const [event] = parseEventLogs({ abi: identityRegistryAbi, eventName: 'Registered', logs: receipt.logs })
    expect(event!.args.owner).toBe(user().address)
    const stored = await net().publicClient.readContract({
      address: identityRegistry(),
      abi: identityRegistryAbi,
      functionName: 'tokenURI',
      args: [event!.args.agentId],
    })
    expect(stored).toBe(uri)
  })

  it('ERC-8004 feedback: giveFeedback(agent, 45, 1) for "a score of 4.5", allowed, lands; an agent that does not exist is a clear error', async () => {
    const agentId = await someAgent()
    const p = await propose(`give agent #${agentId} a score of 4.5`, options())
    expect(p.steps.map((s) => s.action)).toEqual([
      expect.objectContaining({ kind: 'erc8004.feedback', agentId, value: 45n, valueDecimals: 1 }),
    ])
    expect(p.verdict).toBe('allow')
    await send(p)
    const reputation = net().deployments.contracts.ReputationRegistry!.address
    const last = await net().publicClient.readContract({
      address: reputation,
      abi: reputationRegistryAbi,
      functionName: 'getLastIndex',
      args: [agentId, user().address],
    })
    const [value, decimals] = await net().publicClient.readContract({
      address: reputation,
      abi: reputationRegistryAbi,
      functionName: 'readFeedback',
      args: [agentId, user().address, last],
    })
    expect([value, decimals]).toEqual([45n, 1])
    await expect(propose('rate agent 999 a 90', options())).rejects.toMatchObject({
      code: 'PROPOSER_INVALID_ACTION',
      message: expect.stringMatching(/no ERC-8004 agent #999/),
    })
  })

  it('escrow: approve exactly the budget, create, set the budget and fund, checked as a sequence; exactly the budget lands in the escrow', async () => {
    await fundDevUsd(net(), user().address, parseUnits('500', 6))
    const escrow = net().deployments.contracts.AgenticCommerce!.address
    const p = await propose('hire bob for 100 dUSD, evaluated by carol, due in 3 days', options())
    expect(p.steps.map((s) => [s.action.kind, s.call.to])).toEqual([
      ['erc20.approve', devUsd(net())],
      ['escrow.create', escrow],
      ['escrow.setBudget', escrow],
      ['escrow.fund', escrow],
    ])
    expect(p.steps[0]!.action).toMatchObject({ spender: escrow, amount: parseUnits('100', 6) })
    expect(p.verdict).toBe('allow')
    const held = () =>
      net().publicClient.readContract({
        address: devUsd(net()),
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [escrow],
      })
    const before = await held()
    const r = await send(p)
    expect(r.differences).toEqual([])
    expect((await held()) - before).toBe(parseUnits('100', 6))
    const jobId = (p.steps[3]!.action as { jobId: bigint }).jobId
    const job = await net().publicClient.readContract({
      address: escrow,
      abi: agenticCommerceAbi,
      functionName: 'getJob',
      args: [jobId],
    })
    expect(job).toMatchObject({
      client: user().address,
      provider: bob(),
      evaluator: carol(),
      budget: parseUnits('100', 6),
    })
  })

  it('escrow: a budget in a token the escrow does not take, or a job without an evaluator, is a clear error; nothing sent', async () => {
    const n = await nonce()
    await expect(propose('hire bob for 100 usdc, evaluated by carol, due in 3 days', options())).rejects.toMatchObject({
      code: 'PROPOSER_INVALID_ACTION',
      message: expect.stringMatching(/pays in/),
    })
    await expect(propose('hire bob for 100 dusd, due in 3 days', options())).rejects.toMatchObject({
      code: 'PROPOSER_UNSUPPORTED',
      message: expect.stringMatching(/evaluator/),
    })
    expect(await nonce()).toBe(n)
  })

  it('ZK pool deposit: the leaf is the named identity\u2019s, exactly the deposit goes to the pool, and no secret is in the proposal', async () => {
    const { pool } = await devnetPool(net(), { price: parseEther('0.001'), stake: parseEther('0.1') })
    const identity = ZkIdentity.random()
    const o = options({ zkIdentity: identity })
    o.addressBook = { ...o.addressBook, 'credit pool': pool.address }
    const p = await propose('deposit 0.105 ETH into the credit pool', o)
    expect(p.steps.map((s) => [s.action.kind, s.call.to, s.call.value])).toEqual([
      ['zkpay.deposit', pool.address, parseEther('0.105')],
    ])
    expect(p.steps[0]!.action).toMatchObject({ tickets: 5 })
    expect(p.verdict).toBe('allow')
    const nonceOfDeposit = depositNonceOf(p.steps[0]!.action)
    expect(nonceOfDeposit).toMatch(/^\d+$/)
    const secret = identity.depositSecret(BigInt(nonceOfDeposit!))
    const json = JSON.stringify(p, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    expect(json).not.toContain(identity.revealSecret().toString())
    expect(json).not.toContain(secret.toString())
    expect(json).not.toContain(nonceOfDeposit)
    await send(p)
    const leaf = (p.steps[0]!.action as { leaf: bigint }).leaf
    expect(
      await net().publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'usedLeaf',
        args: [leaf],
      }),
    ).toBe(true)
    // not a whole number of tickets, and no identity named: clear errors
    await expect(propose('deposit 0.1055 ETH into the credit pool', o)).rejects.toMatchObject({
      code: 'PROPOSER_INVALID_ACTION',
      message: expect.stringMatching(/not a whole number of tickets/),
    })
    const { zkIdentity: _, ...noIdentity } = o.catalogue!
    await expect(
      propose('deposit 0.105 ETH into the credit pool', { ...o, catalogue: noIdentity }),
    ).rejects.toMatchObject({ code: 'PROPOSER_UNSUPPORTED', message: expect.stringMatching(/ZK identity/) })
  })

  it('generic call: only a function of the user\u2019s ABI file, arguments type-checked, lands; unknown, wrong arity, type, no code: errors', async () => {
    const token = devUsd(net())
    const abi = readAbiFile(writeAbiFile(devTokenAbi, true))
    const o = options({ abi })
    const p = await propose(`call mint with ${user().address} and 7000000 on ${token}`, o)
    expect(p.steps.map((s) => s.action)).toEqual([
      expect.objectContaining({ kind: 'abi.call', to: token, args: [user().address, 7_000_000n], value: 0n }),
    ])
    expect(p.steps[0]!.report.decoded?.signature).toMatch(/^mint\(address,uint256\)/)
    expect(p.verdict).toBe('allow')
    const balance = () =>
      net().publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [user().address],
      })
    const before = await balance()
    await send(p)
    expect((await balance()) - before).toBe(7_000_000n)
    const n = await nonce()
    await expect(propose(`call burnAll on ${token}`, o)).rejects.toMatchObject({ code: 'PROPOSER_UNKNOWN_FUNCTION' })
    // an address with no contract behind it: the call would do nothing, so it is not built
    const nobody = '0x000000000000000000000000000000000000dEaD'
    await expect(propose(`call mint with ${user().address} and 5 on ${nobody}`, o)).rejects.toMatchObject({
      code: 'PROPOSER_INVALID_ACTION',
      message: expect.stringMatching(/no contract code/),
    })
    await expect(propose(`call mint with 5 on ${token}`, o)).rejects.toMatchObject({ code: 'PROPOSER_BAD_ARGUMENTS' })
    await expect(propose(`call mint with 5 and 5 on ${token}`, o)).rejects.toMatchObject({
      code: 'PROPOSER_BAD_ARGUMENTS',
      message: expect.stringMatching(/Argument 1 .*address/),
    })
    await expect(propose(`call mint with ${bob()} and 5 on ${token}`, options())).rejects.toMatchObject({
      code: 'PROPOSER_UNSUPPORTED',
      message: expect.stringMatching(/ABI/),
    })
    expect(await nonce()).toBe(n)
  })

  it('generic call: it sends the ETH the words say; txguard checks the effects: ETH into a token warns, an unasked token transfer is blocked', async () => {
    const weth = net().deployments.contracts.WETH9!.address
    const o = options({ abi: readAbiFile(writeAbiFile(weth9Abi)) })
    const paid = await propose(`call deposit on ${weth} paying 0.5 ETH`, o)
    expect(paid.steps.map((s) => [s.call.to, s.call.value])).toEqual([[weth, parseEther('0.5')]])
    // txguard's own effect rules still apply to a generic call: ETH into a token contract is said
    expect(paid.reasons.map((r) => [r.id, r.severity])).toEqual([['value.to-token', 'warn']])
    await expect(propose(`call withdraw on ${weth} paying 0.5 ETH`, o)).rejects.toMatchObject({
      code: 'PROPOSER_BAD_ARGUMENTS',
    })
    // an ERC-20 transfer through the generic call: USDC would leave, which "call …" does not allow
    await fund(net(), user().address, { USDC: parseUnits('10', 6) })
    const usdc = o.tokens!.USDC as Address
    const erc20 = options({ abi: readAbiFile(writeAbiFile(erc20Abi)) })
    const moved = await propose(`call transfer with ${bob()} and 5000000 on ${usdc}`, erc20)
    expect(moved.verdict).toBe('block')
    expect(() =>
      sendProposal(moved, { client: net().publicClient, account: user(), journal: journalPath(), yes: true }),
    ).toThrow(expect.objectContaining({ code: 'PROPOSER_BLOCKED' }))
  })
})
