/**
 * Two agents register on the ERC-8004 identity registry; clients review them — one pays first,
 * one is a Sybil that never pays — a review is revoked and answered, a validator checks some
 * work, and each agent's reputation is printed with and without the payment-proof filter.
 */
import { parseEther, type Address } from 'viem'
import type { Devnet } from '@hermit/devnet'
import {
  REGISTRATION_TYPE,
  appendResponse,
  findAgents,
  giveFeedback,
  registerAgent,
  registriesFromDeployments,
  reputationOf,
  requestValidation,
  respondToValidation,
  revokeFeedback,
  validationSummary,
  waitForValidation,
  type Erc8004Client,
  type Reputation,
} from '@hermit/erc8004'
import type { Flow } from '../flows.ts'
import { short, type Log } from '../lib/log.ts'

function clientFor(devnet: Devnet, index: number): Erc8004Client {
  return {
    publicClient: devnet.publicClient,
    walletClient: devnet.walletFor(devnet.accounts[index]!),
    registries: registriesFromDeployments(devnet.deployments),
  }
}

const describeRep = (r: Reputation) =>
  r.count === 0n ? 'no counted feedback' : `${r.average} from ${r.count} review(s)`

export async function registerAndReview(
  devnet: Devnet,
  log: Log,
): Promise<{ summarizer: bigint; translator: bigint; withProof: Reputation[]; without: Reputation[] }> {
  const [alice, bob, carol, sybil, val] = [1, 2, 3, 4, 6].map((i) => clientFor(devnet, i)) as [
    Erc8004Client,
    Erc8004Client,
    Erc8004Client,
    Erc8004Client,
    Erc8004Client,
  ]
  const addr = (i: number) => devnet.accounts[i]!.address as Address

  log.step('Two agents register (ERC-721 identity + registration file as a data: URI)')
  const summarizer = await registerAgent(alice, {
    registration: {
      type: REGISTRATION_TYPE,
      name: 'Summarizer',
      description: 'Summarizes documents with a local model.',
      services: [{ name: 'hermit-job', endpoint: 'http://127.0.0.1:0/jobs', version: '1', skills: ['summarize'] }],
      x402Support: true,
      active: true,
      supportedTrust: ['reputation', 'crypto-economic'],
    },
  })
  const translator = await registerAgent(bob, {
    registration: {
      type: REGISTRATION_TYPE,
      name: 'Translator',
      description: 'Translates between English and French.',
      services: [{ name: 'hermit-job', endpoint: 'http://127.0.0.1:0/jobs', version: '1', skills: ['translate'] }],
      active: true,
      supportedTrust: ['reputation'],
    },
  })
  log.line(`agent #${summarizer.agentId} Summarizer, owner ${short(addr(1))}`)
  log.line(`agent #${translator.agentId} Translator, owner ${short(addr(2))}`)
  const found = await findAgents(carol, { skill: 'summarize', active: true })
  log.line(
    `discovery by skill "summarize": ${found.agents.map((a) => `#${a.agentId} ${a.registration?.name}`).join(', ')}`,
  )

  log.step('Reviews: Carol pays each agent before rating; a Sybil rates without paying')
  for (const [agentId, owner, stars] of [
    [summarizer.agentId, 1, 4n],
    [translator.agentId, 2, 3n],
  ] as const) {
    const hash = await devnet
      .walletFor(devnet.accounts[3]!)
      .sendTransaction({ to: addr(owner), value: parseEther('0.05') })
    await devnet.publicClient.waitForTransactionReceipt({ hash })
    await giveFeedback(carol, {
      agentId,
      value: stars,
      valueDecimals: 0,
      tag1: 'stars',
      proofOfPayment: { fromAddress: addr(3), toAddress: addr(owner), chainId: devnet.chainId, txHash: hash },
    })
    log.line(`Carol paid 0.05 ETH to agent #${agentId} (tx ${short(hash)}) and gave ${stars}★`)
  }
  // the Sybil pumps the Translator and slams the Summarizer
  await giveFeedback(sybil, { agentId: translator.agentId, value: 5n, valueDecimals: 0, tag1: 'stars' })
  await giveFeedback(sybil, { agentId: summarizer.agentId, value: 1n, valueDecimals: 0, tag1: 'stars' })
  const wrong = await giveFeedback(sybil, { agentId: summarizer.agentId, value: 1n, valueDecimals: 0, tag1: 'stars' })
  log.line(`Sybil ${short(addr(4))} gave the Translator 5★ and the Summarizer 1★ twice, paying nothing`)
  await revokeFeedback(sybil, summarizer.agentId, wrong.feedbackIndex)
  log.line(`Sybil revoked its second review (#${wrong.feedbackIndex}); it stays on-chain, flagged revoked`)
  await appendResponse(alice, {
    agentId: summarizer.agentId,
    client: addr(4),
    feedbackIndex: 1n,
    response: { text: 'This client never hired us.' },
  })
  log.line(`Alice (Summarizer's owner) answered the Sybil's review with a response file`)

  log.step('Validation round: a validator re-checks a Summarizer output')
  const { requestHash } = await requestValidation(alice, {
    validator: addr(6),
    agentId: summarizer.agentId,
    request: { job: 'summary-42', output: 'A short summary.' },
  })
  const waiting = waitForValidation(alice, requestHash, { timeoutMs: 10_000, pollingIntervalMs: 20 })
  await respondToValidation(val, { requestHash, response: 92, tag: 'reexecution' })
  const status = await waiting
  const vsum = await validationSummary(alice, summarizer.agentId)
  log.line(
    `validator ${short(addr(6))} answered ${status.response}/100 (tag ${status.tag}) for request ${short(requestHash)}`,
  )
  log.line(`Summarizer validations: ${vsum.count} answered, average ${vsum.average}/100`)

  log.step('Reputation (stars), all feedback vs only payment-backed feedback')
  const without: Reputation[] = []
  const withProof: Reputation[] = []
  for (const [name, agentId] of [
    ['Summarizer', summarizer.agentId],
    ['Translator', translator.agentId],
  ] as const) {
    const all = await reputationOf(carol, agentId, { tag1: 'stars' })
    const paid = await reputationOf(carol, agentId, { tag1: 'stars', requirePaymentProof: true })
    without.push(all)
    withProof.push(paid)
    log.line(
      `${name.padEnd(10)} everyone: ${describeRep(all).padEnd(22)} payment-backed: ${describeRep(paid)} ` +
        `(${paid.rejected.length} rejected: ${[...new Set(paid.rejected.map((r) => r.reason))].join('; ') || '-'})`,
    )
  }
  return { summarizer: summarizer.agentId, translator: translator.agentId, withProof, without }
}

export const flow: Flow = {
  name: 'register-and-review',
  title: 'ERC-8004: register agents, review them, validate, read reputation',
  run: async (devnet, log) => {
    await registerAndReview(devnet, log)
  },
}
