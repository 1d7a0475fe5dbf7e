import { erc20Abi, parseEther, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { devTokenAbi, identityRegistryAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import { weth9Abi } from '@hermit/devnet'
import { providerFromSpec } from '@hermit/llm'
import { startScriptedModelServer, type ScriptedModelServer, type ScriptedReply } from '@hermit/llm/testing'
import { ZkIdentity } from '@hermit/zkpay'
import { devnetPool } from '@hermit/zkpay/testing'
import { propose } from '../propose.ts'
import { sendProposal } from '../send.ts'
import { catalogueProposeOptions, devUsd, fundDevUsd, journalPath, writeAbiFile } from '../testing/catalogue.ts'
import { readAbiFile } from './abi.ts'
import type { CatalogueOptions } from './plan.ts'

const net = useDevnet({ world: 'defi' })
const MODEL = 'scripted-catalogue'
let server: ScriptedModelServer
beforeAll(async () => {
  server = await startScriptedModelServer({ models: [MODEL] })
})
afterAll(() => server?.close())

const user = () => net().accounts[1]!
const bob = () => net().accounts[2]!.address
const carol = () => net().accounts[3]!.address
const nonce = () => net().publicClient.getTransactionCount({ address: user().address })

/** The model answers with these tool calls, then "done". */
function scripted(calls: NonNullable<ScriptedReply['toolCalls']>, extra: Partial<CatalogueOptions> = {}, book = {}) {
  server.script([{ toolCalls: calls }, { content: 'done' }])
  return {
    ...catalogueProposeOptions(net(), user(), { bob: bob(), carol: carol(), ...book }, extra),
    provider: providerFromSpec(`ollama:${MODEL}`, { ollamaHost: server.url }),
  }
}
const send = (p: Awaited<ReturnType<typeof propose>>) =>
  sendProposal(p, { client: net().publicClient, account: user(), journal: journalPath() })

describe('the catalogue with a model: agent, escrow, pool and generic-call tools; Hermit resolves and builds', () => {
  it('the model is offered the new tools and picks register_agent; Hermit builds register(uri); allowed, and it lands', async () => {
    const uri = 'ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'
    const o = scripted([{ name: 'register_agent', arguments: { uri } }])
    const p = await propose(`register my agent at ${uri}`, o)
    const tools = (server.requests.at(-2)?.tools ?? []) as Array<{ function?: { name: string } }>
    expect(tools.map((t) => t.function?.name)).toEqual(
      expect.arrayContaining(['register_agent', 'give_feedback', 'fund_escrow_job', 'deposit_pool', 'call_function']),
    )
    expect(p.reading.model.consulted).toBe(true)
    expect(p.steps.map((s) => [s.action.kind, s.call.to])).toEqual([
      ['erc8004.register', net().deployments.contracts.IdentityRegistry!.address],
    ])
    expect(p.verdict).toBe('allow')
    expect((await send(p)).sent[0]!.status).toBe('success')
  })

  it('give_feedback: the score the model passes is built as giveFeedback; an absurd or negative score is a clear error', async () => {
    const wallet = net().walletFor(net().accounts[4]!)
    const { result: agentId, request } = await net().publicClient.simulateContract({
      account: wallet.account,
      address: net().deployments.contracts.IdentityRegistry!.address,
      abi: identityRegistryAbi,
      functionName: 'register',
      args: ['https://agents.example/a.json'],
    })
    await net().publicClient.waitForTransactionReceipt({
      hash: await wallet.writeContract(request),
      pollingInterval: 10,
    })
    const p = await propose(
      `rate agent ${agentId} a 80`,
      scripted([{ name: 'give_feedback', arguments: { agentId: `${agentId}`, score: '80' } }]),
    )
    expect(p.steps.map((s) => s.action)).toEqual([expect.objectContaining({ kind: 'erc8004.feedback', value: 80n })])
    expect(p.verdict).toBe('allow')
    const n = await nonce()
    await expect(
      propose(
        `rate agent ${agentId} a 80`,
        scripted([{ name: 'give_feedback', arguments: { agentId: `${agentId}`, score: '1000' } }]),
      ),
    ).rejects.toMatchObject({ code: 'PROPOSER_INVALID_ACTION' })
    await expect(
      propose(
        `rate agent ${agentId} a 80`,
        scripted([{ name: 'give_feedback', arguments: { agentId: `${agentId}`, score: '-5' } }]),
      ),
    ).rejects.toMatchObject({ code: 'PROPOSER_MODEL_INVALID' })
    expect(await nonce()).toBe(n)
  })

  it('fund_escrow_job: approve, create, budget, fund; allowed, and exactly the budget is escrowed', async () => {
    await fundDevUsd(net(), user().address, parseUnits('300', 6))
    const o = scripted([
      {
        name: 'fund_escrow_job',
        arguments: { provider: 'bob', evaluator: 'carol', token: 'dUSD', amount: '120', expiresInSeconds: '86400' },
      },
    ])
    const p = await propose('hire bob for 120 dUSD, evaluated by carol, due in 1 day', o)
    expect(p.steps.map((s) => s.action.kind)).toEqual([
      'erc20.approve',
      'escrow.create',
      'escrow.setBudget',
      'escrow.fund',
    ])
    expect(p.verdict).toBe('allow')
    const escrow = net().deployments.contracts.AgenticCommerce!.address
    const held = () =>
      net().publicClient.readContract({
        address: devUsd(net()),
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [escrow],
      })
    const before = await held()
    expect((await send(p)).differences).toEqual([])
    expect((await held()) - before).toBe(parseUnits('120', 6))
  })

  it('a model that adds an approval the words did not ask for to an escrow plan: blocked, and it cannot be sent', async () => {
    await fundDevUsd(net(), user().address, parseUnits('300', 6))
    const o = scripted([
      { name: 'approve', arguments: { token: 'dUSD', spender: 'bob', amount: '300' } },
      {
        name: 'fund_escrow_job',
        arguments: { provider: 'bob', evaluator: 'carol', token: 'dUSD', amount: '120', expiresInSeconds: '86400' },
      },
    ])
    const p = await propose('hire bob for 120 dUSD, evaluated by carol, due in 1 day', o)
    expect(p.steps[0]!.action).toMatchObject({ kind: 'erc20.approve', spender: bob() })
    expect(p.verdict).toBe('block')
    expect(p.reasons.some((r) => r.step === 1 && r.severity === 'block')).toBe(true)
    expect(p.reasons).toContainEqual(
      expect.objectContaining({ step: 1, id: 'intent.mismatch', message: expect.stringMatching(/not escrow/) }),
    )
    expect(() =>
      sendProposal(p, { client: net().publicClient, account: user(), journal: journalPath(), yes: true }),
    ).toThrow(expect.objectContaining({ code: 'PROPOSER_BLOCKED' }))
  })

  it('deposit_pool: the identity is the configured one, never the model\u2019s; no secret reaches the model or the proposal', async () => {
    const { pool } = await devnetPool(net(), { price: parseEther('0.001'), stake: parseEther('0.1') })
    const identity = ZkIdentity.random()
    const o = scripted(
      [{ name: 'deposit_pool', arguments: { pool: 'credit pool', asset: 'ETH', amount: '0.102' } }],
      {
        zkIdentity: identity,
      },
      { 'credit pool': pool.address },
    )
    const p = await propose('deposit 0.102 ETH into the credit pool', o)
    expect(p.steps.map((s) => [s.action.kind, s.call.value])).toEqual([['zkpay.deposit', parseEther('0.102')]])
    expect(p.steps[0]!.action).toMatchObject({ tickets: 2 })
    expect(p.verdict).toBe('allow')
    const seen = JSON.stringify([server.requests.slice(-2), p], (_, v) => (typeof v === 'bigint' ? v.toString() : v))
    expect(seen).not.toContain(identity.revealSecret().toString())
    expect(seen).not.toContain(identity.commitment.toString())
    await send(p)
  })

  it('call_function: a function of the user\u2019s ABI is built and lands; one the ABI lacks is PROPOSER_UNKNOWN_FUNCTION, nothing sent', async () => {
    const token = devUsd(net())
    const abi = readAbiFile(writeAbiFile(devTokenAbi))
    const words = `call mint with ${user().address} and 5000000 on ${token}`
    const p = await propose(
      words,
      scripted(
        [{ name: 'call_function', arguments: { function: 'mint', args: [user().address, '5000000'], target: token } }],
        {
          abi,
        },
      ),
    )
    expect(p.steps.map((s) => s.action)).toEqual([
      expect.objectContaining({ kind: 'abi.call', args: [user().address, 5_000_000n] }),
    ])
    expect(p.verdict).toBe('allow')
    await send(p)
    const n = await nonce()
    await expect(
      propose(
        words,
        scripted([{ name: 'call_function', arguments: { function: 'drain', args: [user().address], target: token } }], {
          abi,
        }),
      ),
    ).rejects.toMatchObject({ code: 'PROPOSER_UNKNOWN_FUNCTION' })
    await expect(
      propose(
        words,
        scripted([{ name: 'call_function', arguments: { function: 'mint', args: ['bob', '-1'], target: token } }], {
          abi,
        }),
      ),
    ).rejects.toMatchObject({ code: 'PROPOSER_BAD_ARGUMENTS' })
    expect(await nonce()).toBe(n)
  })

  it('call_function sending more ETH than the words say: blocked', async () => {
    const weth = net().deployments.contracts.WETH9!.address
    const o = scripted(
      [{ name: 'call_function', arguments: { function: 'deposit', args: [], target: weth, value: '2' } }],
      { abi: readAbiFile(writeAbiFile(weth9Abi)) },
    )
    const p = await propose(`call deposit on ${weth} paying 0.5 ETH`, o)
    expect(p.steps[0]!.call.value).toBe(parseEther('2'))
    expect(p.verdict).toBe('block')
    expect(p.reasons).toContainEqual(
      expect.objectContaining({
        id: 'intent.mismatch',
        severity: 'block',
        message: expect.stringMatching(/more than the 0.5 ETH/),
      }),
    )
  })

  it.each([
    [
      'an unknown token',
      { provider: 'bob', evaluator: 'carol', token: 'FOO', amount: '1', expiresInSeconds: '60' },
      'INTENT_UNKNOWN_TOKEN',
    ],
    [
      'a non-existent name',
      { provider: 'mallory', evaluator: 'carol', token: 'dUSD', amount: '1', expiresInSeconds: '60' },
      'INTENT_UNKNOWN_NAME',
    ],
    [
      'an absurd amount',
      { provider: 'bob', evaluator: 'carol', token: 'dUSD', amount: '1000000000000', expiresInSeconds: '60' },
      'PROPOSER_INSUFFICIENT_BALANCE',
    ],
  ] as const)('fund_escrow_job naming %s: a clear error, nothing sent', async (_, args, code) => {
    const n = await nonce()
    await expect(
      propose(
        'hire bob for 1 dUSD, evaluated by carol, due in 1 minute',
        scripted([{ name: 'fund_escrow_job', arguments: { ...args } }]),
      ),
    ).rejects.toMatchObject({ code })
    expect(await nonce()).toBe(n)
  })
})
