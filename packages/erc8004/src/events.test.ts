import { describe, expect, it } from 'vitest'
import { keccak256, toHex } from 'viem'
import { useDevnet } from '@hermit/devnet/testing'
import {
  appendResponse,
  giveFeedback,
  registerAgent,
  registryLogs,
  requestValidation,
  respondToValidation,
  revokeFeedback,
  setAgentURI,
  setMetadata,
  watchRegistryEvent,
} from './index.ts'
import { clientFor } from './testing/index.ts'

const net = useDevnet()

describe('typed registry events', () => {
  it('reads every ERC-8004 event with its arguments, in pages', async () => {
    const d = net()
    const owner = clientFor(d, 1)
    const client = clientFor(d, 2)
    const { agentId } = await registerAgent(owner, { agentURI: 'ipfs://a' })
    await setAgentURI(owner, agentId, 'ipfs://b')
    await setMetadata(owner, agentId, 'price', toHex('1 dUSD'))
    await giveFeedback(client, { agentId, value: 7n, valueDecimals: 1, tag1: 'stars', store: false })
    await revokeFeedback(client, agentId, 1n)
    await appendResponse(owner, { agentId, client: d.accounts[2]!.address, feedbackIndex: 1n, responseURI: 'ipfs://r' })
    const { requestHash } = await requestValidation(owner, {
      validator: d.accounts[3]!.address,
      agentId,
      request: { x: 1 },
    })
    await respondToValidation(clientFor(d, 3), { requestHash, response: 70, tag: 't' })

    const page = { pageSize: 3n }
    expect((await registryLogs(owner, 'identity', 'Registered', page)).map((l) => l.args.agentURI)).toEqual([
      'ipfs://a',
    ])
    expect((await registryLogs(owner, 'identity', 'URIUpdated', page)).map((l) => l.args.newURI)).toEqual(['ipfs://b'])
    const meta = await registryLogs(owner, 'identity', 'MetadataSet', {
      ...page,
      args: { indexedMetadataKey: 'price' },
    })
    expect(meta.map((l) => [l.args.metadataKey, l.args.metadataValue])).toEqual([['price', toHex('1 dUSD')]])
    expect(meta[0]!.topics[2]).toBe(keccak256(toHex('price')))
    expect(
      (await registryLogs(owner, 'reputation', 'NewFeedback', { args: { agentId } })).map((l) => [
        l.args.value,
        l.args.tag1,
      ]),
    ).toEqual([[7n, 'stars']])
    expect((await registryLogs(owner, 'reputation', 'FeedbackRevoked')).map((l) => l.args.feedbackIndex)).toEqual([1n])
    expect((await registryLogs(owner, 'reputation', 'ResponseAppended')).map((l) => l.args.responder)).toEqual([
      d.accounts[1]!.address,
    ])
    expect((await registryLogs(owner, 'validation', 'ValidationRequest')).map((l) => l.args.requestHash)).toEqual([
      requestHash,
    ])
    expect((await registryLogs(owner, 'validation', 'ValidationResponse')).map((l) => l.args.response)).toEqual([70])
  })

  it('watches an event as it happens', async () => {
    const d = net()
    const owner = clientFor(d, 1)
    const { agentId } = await registerAgent(owner, { agentURI: 'ipfs://a' })
    const seen = new Promise<unknown>((resolve) => {
      const stop = watchRegistryEvent(
        owner,
        'reputation',
        'NewFeedback',
        (logs) => {
          stop()
          resolve(logs[0]!.args.value)
        },
        { pollingInterval: 20 },
      )
    })
    await giveFeedback(clientFor(d, 2), { agentId, value: 42n, valueDecimals: 0, store: false })
    expect(await seen).toBe(42n)
  })
})
