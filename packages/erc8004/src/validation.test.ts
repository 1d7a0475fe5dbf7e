import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import {
  REGISTRATION_TYPE,
  ValidationTimeoutError,
  agentValidations,
  registerAgent,
  requestValidation,
  respondToValidation,
  validationStatus,
  validationSummary,
  validatorRequests,
  waitForValidation,
} from './index.ts'
import { clientFor } from './testing/index.ts'

const net = useDevnet()

describe('validation registry bindings', () => {
  it('runs a validation round: request, wait, respond, update, summarize', async () => {
    const d = net()
    const owner = clientFor(d, 1)
    const validator = clientFor(d, 6)
    const { agentId } = await registerAgent(owner, {
      registration: { type: REGISTRATION_TYPE, name: 'W', description: 'w' },
    })
    const { requestHash } = await requestValidation(owner, {
      validator: d.accounts[6]!.address,
      agentId,
      request: { job: 1, output: 'summary text' },
    })

    const pending = await validationStatus(owner, requestHash)
    expect(pending).toMatchObject({ validator: d.accounts[6]!.address, agentId, response: 0, responded: false })
    const waiting = waitForValidation(owner, requestHash, { pollingIntervalMs: 20 })
    await respondToValidation(validator, { requestHash, response: 40, tag: 'soft' })
    expect(await waiting).toMatchObject({ response: 40, tag: 'soft', responded: true })
    await respondToValidation(validator, { requestHash, response: 95, tag: 'hard' })
    expect((await validationStatus(owner, requestHash)).response).toBe(95)

    await expect(respondToValidation(owner, { requestHash, response: 100 })).rejects.toThrow(/not validator/)
    await expect(respondToValidation(validator, { requestHash, response: 101 })).rejects.toThrow(/0 to 100/)
    await expect(
      requestValidation(owner, { validator: d.accounts[6]!.address, agentId, requestURI: 'x', requestHash }),
    ).rejects.toThrow(/exists/)
    await expect(
      requestValidation(validator, { validator: d.accounts[6]!.address, agentId, request: { other: true } }),
    ).rejects.toThrow(/Not authorized/)

    expect(await validationSummary(owner, agentId)).toEqual({ count: 1n, average: 95 })
    expect(await validationSummary(owner, agentId, { tag: 'soft' })).toEqual({ count: 0n, average: 0 })
    expect(await agentValidations(owner, agentId)).toEqual([requestHash])
    expect(await validatorRequests(owner, d.accounts[6]!.address)).toEqual([requestHash])
  })

  it('stops waiting with a clear timeout', async () => {
    const d = net()
    const owner = clientFor(d, 1)
    const { agentId } = await registerAgent(owner)
    const { requestHash } = await requestValidation(owner, {
      validator: d.accounts[6]!.address,
      agentId,
      request: { job: 2 },
    })
    const err = await waitForValidation(owner, requestHash, { timeoutMs: 100, pollingIntervalMs: 20 }).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ValidationTimeoutError)
    expect((err as ValidationTimeoutError).code).toBe('ERC8004_VALIDATION_TIMEOUT')
  })
})
