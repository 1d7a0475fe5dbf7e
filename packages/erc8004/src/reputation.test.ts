import { ContractRevertError } from '@hermit/chain'
import { describe, expect, it } from 'vitest'
import { keccak256, parseEther, type Address, type Hash } from 'viem'
import { devTokenAbi } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import {
  REGISTRATION_TYPE,
  appendResponse,
  feedbackHistory,
  getClients,
  getLastIndex,
  getResponseCount,
  getSummary,
  giveFeedback,
  readAllFeedback,
  readFeedback,
  registerAgent,
  reputationOf,
  revokeFeedback,
  summarize,
  parseFeedbackFile,
  type FileStore,
} from './index.ts'
import { clientFor } from './testing/index.ts'

const net = useDevnet()

async function agent() {
  const owner = clientFor(net(), 1)
  const { agentId } = await registerAgent(owner, {
    registration: {
      type: REGISTRATION_TYPE,
      name: 'Worker',
      description: 'Does work.',
      services: [{ name: 'hermit-job', endpoint: 'http://127.0.0.1:9' }],
      active: true,
    },
  })
  return { owner, agentId }
}

async function payNative(from: number, to: Address, eth: string): Promise<Hash> {
  const d = net()
  const hash = await d.walletFor(d.accounts[from]!).sendTransaction({ to, value: parseEther(eth) })
  await d.publicClient.waitForTransactionReceipt({ hash })
  return hash
}

/** Feedback of `value` on `agentId` from dev account `rater`, backed by `txHash`: a payment from that account to `payee`. */
function paidFeedback(rater: number, agentId: bigint, value: bigint, payee: Address, txHash: Hash) {
  const d = net()
  return giveFeedback(clientFor(d, rater), {
    agentId,
    value,
    valueDecimals: 0,
    proofOfPayment: { fromAddress: d.accounts[rater]!.address, toAddress: payee, chainId: d.chainId, txHash },
  })
}

describe('reputation registry bindings', () => {
  it('gives feedback with a hashed feedback file and reads it back', async () => {
    const { agentId } = await agent()
    const client = clientFor(net(), 2)
    const r = await giveFeedback(client, {
      agentId,
      value: 9977n,
      valueDecimals: 2,
      tag1: 'uptime',
      endpoint: 'https://w.example/api',
    })
    expect(r.feedbackIndex).toBe(1n)
    expect(r.feedbackURI).toMatch(/^data:application\/json;base64,/)
    const file = parseFeedbackFile(JSON.parse(Buffer.from(r.feedbackURI.split(',')[1]!, 'base64').toString()))
    expect(keccak256(Buffer.from(r.feedbackURI.split(',')[1]!, 'base64'))).toBe(r.feedbackHash)
    expect(file.agentId).toBe(agentId)
    expect(file.clientAddress).toBe(`eip155:31337:${net().accounts[2]!.address}`)
    expect(await readFeedback(client, agentId, net().accounts[2]!.address, 1n)).toMatchObject({
      value: 9977n,
      valueDecimals: 2,
      tag1: 'uptime',
      tag2: '',
      isRevoked: false,
    })
    expect(await getLastIndex(client, agentId, net().accounts[2]!.address)).toBe(1n)
    const [record] = await feedbackHistory(client, agentId)
    expect(record).toMatchObject({
      feedbackURI: r.feedbackURI,
      feedbackHash: r.feedbackHash,
      endpoint: 'https://w.example/api',
    })
  })

  it('refuses self-feedback and bad values before sending', async () => {
    const { owner, agentId } = await agent()
    const err = await giveFeedback(owner, { agentId, value: 100n, valueDecimals: 0 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ContractRevertError)
    expect((err as ContractRevertError).reason).toBe('Self-feedback not allowed')
    const client = clientFor(net(), 2)
    await expect(giveFeedback(client, { agentId, value: 1n, valueDecimals: 19 })).rejects.toThrow(/valueDecimals/)
    await expect(giveFeedback(client, { agentId, value: 10n ** 39n, valueDecimals: 0 })).rejects.toThrow(/1e38/)
  })

  it('revokes, answers and counts responses', async () => {
    const { owner, agentId } = await agent()
    const c2 = clientFor(net(), 2)
    const c3 = clientFor(net(), 3)
    const a2 = net().accounts[2]!.address
    await giveFeedback(c2, { agentId, value: 20n, valueDecimals: 0, tag1: 'quality' })
    await giveFeedback(c2, { agentId, value: 90n, valueDecimals: 0, tag1: 'quality' })
    await giveFeedback(c3, { agentId, value: 70n, valueDecimals: 0, tag1: 'speed' })
    await revokeFeedback(c2, agentId, 1n)
    await expect(revokeFeedback(c2, agentId, 1n)).rejects.toThrow(/Already revoked/)
    await appendResponse(owner, { agentId, client: a2, feedbackIndex: 2n, response: { text: 'Thanks!' } })
    await appendResponse(c3, { agentId, client: a2, feedbackIndex: 2n, responseURI: 'ipfs://spam-tag' })
    expect(await getResponseCount(owner, agentId, { client: a2, feedbackIndex: 2n })).toBe(2n)
    expect(await getResponseCount(owner, agentId, { responders: [net().accounts[1]!.address] })).toBe(1n)
    expect(await getClients(owner, agentId)).toEqual([a2, net().accounts[3]!.address])
    const live = await readAllFeedback(owner, agentId)
    expect(live.map((f) => f.value)).toEqual([90n, 70n])
    expect(
      (await readAllFeedback(owner, agentId, { includeRevoked: true, tag1: 'quality' })).map((f) => f.isRevoked),
    ).toEqual([true, false])
    expect(await getSummary(owner, agentId, [a2, net().accounts[3]!.address])).toEqual({
      count: 2n,
      value: 80n,
      valueDecimals: 0,
    })
    await expect(getSummary(owner, agentId, [])).rejects.toThrow(/at least one client/)
  })

  it('summarize() matches the registry on random feedback', async () => {
    const { owner, agentId } = await agent()
    let seed = 12345
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n)
    const given: Array<{ value: bigint; valueDecimals: number }> = []
    for (let i = 0; i < 12; i++) {
      const valueDecimals = [0, 0, 1, 2, 2, 18][rand(6)]!
      const value = BigInt(rand(2_000_000) - 1_000_000) * (rand(4) === 0 ? 10n ** 30n : 1n)
      await giveFeedback(clientFor(net(), 2 + (i % 3)), { agentId, value, valueDecimals, store: false })
      given.push({ value, valueDecimals })
    }
    const onChain = await getSummary(
      owner,
      agentId,
      [2, 3, 4].map((i) => net().accounts[i]!.address),
    )
    expect(summarize(given)).toEqual(onChain)
  })
})

describe('reputationOf: whose feedback counts', () => {
  it('counts everyone, only trusted clients, or only payment-backed feedback', async () => {
    const d = net()
    const { owner, agentId } = await agent()
    const payee = d.accounts[1]!.address
    const sybil = clientFor(d, 3)

    // an honest client (account 2) pays 0.5 ETH, then rates 80
    const paid = await payNative(2, payee, '0.5')
    await paidFeedback(2, agentId, 80n, payee, paid)
    // a Sybil rates 100 with no payment at all
    await giveFeedback(sybil, { agentId, value: 100n, valueDecimals: 0 })
    // a liar (account 4) points at the honest client's payment
    await paidFeedback(4, agentId, 100n, payee, paid)
    // and the honest client tries to count one payment twice
    await paidFeedback(2, agentId, 100n, payee, paid)

    const everyone = await reputationOf(owner, agentId)
    expect(everyone).toMatchObject({ filter: 'none', count: 4n, value: 95n })
    const trusted = await reputationOf(owner, agentId, { trustedClients: [d.accounts[2]!.address] })
    expect(trusted).toMatchObject({ filter: 'trusted-clients', count: 2n, value: 90n })
    const paidOnly = await reputationOf(owner, agentId, { requirePaymentProof: true })
    expect(paidOnly).toMatchObject({ filter: 'payment-proof', count: 1n, value: 80n, average: 80 })
    expect(paidOnly.accepted[0]!.payment).toEqual({ ok: true, amount: parseEther('0.5'), token: 'native' })
    expect(paidOnly.rejected.map((r) => r.reason)).toEqual([
      'no proofOfPayment',
      'transaction sender is not the payer',
      'payment already backs another feedback',
    ])
  })

  it('accepts an ERC-20 payment to the agent wallet and rejects a tampered file', async () => {
    const d = net()
    const { owner, agentId } = await agent()
    const token = d.deployments.contracts.DevToken!.address
    const payer = d.walletFor(d.accounts[2]!)
    await d.publicClient.waitForTransactionReceipt({
      hash: await payer.writeContract({
        address: token,
        abi: devTokenAbi,
        functionName: 'mint',
        args: [d.accounts[2]!.address, 10_000_000n],
      }),
    })
    const txHash = await payer.writeContract({
      address: token,
      abi: devTokenAbi,
      functionName: 'transfer',
      args: [d.accounts[1]!.address, 2_500_000n],
    })
    await d.publicClient.waitForTransactionReceipt({ hash: txHash })
    const proof = { fromAddress: d.accounts[2]!.address, toAddress: d.accounts[1]!.address, chainId: d.chainId, txHash }
    await giveFeedback(clientFor(d, 2), { agentId, value: 4n, valueDecimals: 0, tag1: 'stars', proofOfPayment: proof })

    // a store that serves something else than what was hashed
    const tampering: FileStore = {
      put: async () =>
        `data:application/json;base64,${Buffer.from(JSON.stringify({ forged: true })).toString('base64')}`,
    }
    await giveFeedback(clientFor(d, 3), {
      agentId,
      value: 5n,
      valueDecimals: 0,
      tag1: 'stars',
      proofOfPayment: proof,
      store: tampering,
    })

    // ERC-20 payments count only in tokens the caller accepts (any contract can emit a Transfer event)
    const nativeOnly = await reputationOf(owner, agentId, { requirePaymentProof: true, tag1: 'stars' })
    expect(nativeOnly.count).toBe(0n)
    const r = await reputationOf(owner, agentId, {
      requirePaymentProof: true,
      tag1: 'stars',
      acceptedTokens: ['native', token],
    })
    expect(r.count).toBe(1n)
    expect(r.accepted[0]!.payment).toEqual({ ok: true, amount: 2_500_000n, token })
    expect(r.rejected.map((x) => x.reason)).toEqual(['feedback file does not match its on-chain hash'])
  })

  it("ignores the agent's own wallet paying itself, and payments below the minimum", async () => {
    const d = net()
    const { owner, agentId } = await agent()
    const { setAgentWallet } = await import('./index.ts')
    await setAgentWallet(owner, agentId, { wallet: d.accounts[7]! })
    // the agent wallet is not an owner/operator, so the registry lets it give feedback: Hermit does not count it
    const self = await payNative(7, d.accounts[7]!.address, '1')
    await paidFeedback(7, agentId, 100n, d.accounts[7]!.address, self)
    const tiny = await payNative(2, d.accounts[7]!.address, '0.000000001')
    await paidFeedback(2, agentId, 100n, d.accounts[7]!.address, tiny)
    const r = await reputationOf(owner, agentId, { requirePaymentProof: true, minPayment: 10n ** 15n })
    expect(r.count).toBe(0n)
    expect(r.rejected.map((x) => x.reason)).toEqual([
      "feedback from the agent's own wallet",
      'transaction paid less than 1000000000000000 of an accepted asset from payer to payee',
    ])
  })

  it('ignores payments to someone else', async () => {
    const d = net()
    const { owner, agentId } = await agent()
    const elsewhere = await payNative(2, d.accounts[7]!.address, '1')
    await paidFeedback(2, agentId, 100n, d.accounts[7]!.address, elsewhere)
    const r = await reputationOf(owner, agentId, { requirePaymentProof: true })
    expect(r).toMatchObject({ count: 0n, average: null })
    expect(r.rejected[0]!.reason).toBe("payment is not to the agent's wallet or owner")
  })
})
