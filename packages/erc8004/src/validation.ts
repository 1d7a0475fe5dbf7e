import { getAbiItem, type Address, type Hash, type TransactionReceipt } from 'viem'
import { validationRegistryAbi } from '@hermit/contracts'
import { getLogsPaged, readContract, writeAndWait } from '@hermit/chain'
import { requireValidation, type Erc8004Client } from './client.ts'
import { Erc8004Error, ValidationTimeoutError } from './errors.ts'
import { storeJson, type FileStore } from './uri.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}` as Hash
const val = (c: Erc8004Client) => ({ address: requireValidation(c), abi: validationRegistryAbi }) as const

/**
 * Asks `validator` to check work of `agentId`. With `request` (any JSON: what to check, inputs,
 * outputs), the file is stored and `requestHash` is its keccak256; or pass requestURI + requestHash.
 */
export async function requestValidation(
  c: Erc8004Client,
  a: { validator: Address; agentId: bigint } & (
    | { request: unknown; store?: FileStore }
    | { requestURI: string; requestHash: Hash }
  ),
): Promise<{ requestHash: Hash; requestURI: string; receipt: TransactionReceipt }> {
  let requestURI: string
  let requestHash: Hash
  if ('request' in a) {
    ;({ uri: requestURI, hash: requestHash } = await storeJson(a.request, a.store))
  } else {
    requestURI = a.requestURI
    requestHash = a.requestHash
  }
  const receipt = await writeAndWait(c, {
    ...val(c),
    functionName: 'validationRequest',
    args: [a.validator, a.agentId, requestURI, requestHash],
  })
  return { requestHash, requestURI, receipt }
}

/** The validator's answer, 0 (failed) to 100 (passed); it may answer again later. */
export async function respondToValidation(
  c: Erc8004Client,
  a: { requestHash: Hash; response: number; responseURI?: string; responseHash?: Hash; tag?: string },
): Promise<TransactionReceipt> {
  if (!Number.isInteger(a.response) || a.response < 0 || a.response > 100)
    throw new Erc8004Error('ERC8004_BAD_ARGS', 'response must be an integer from 0 to 100.')
  return writeAndWait(c, {
    ...val(c),
    functionName: 'validationResponse',
    args: [a.requestHash, a.response, a.responseURI ?? '', a.responseHash ?? ZERO_HASH, a.tag ?? ''],
  })
}

export type ValidationStatus = {
  requestHash: Hash
  validator: Address
  agentId: bigint
  response: number
  responseHash: Hash
  tag: string
  lastUpdate: bigint
  /** The registry does not return this: it is read from ValidationResponse events. */
  responded: boolean
}

export async function validationStatus(c: Erc8004Client, requestHash: Hash): Promise<ValidationStatus> {
  // the fields and the response logs are read at one block: read at two, a response mined in between
  // would say `responded` with the fields from before it
  const blockNumber = await c.publicClient.getBlockNumber({ cacheTime: 0 })
  const [validator, agentId, response, responseHash, tag, lastUpdate] = await readContract(c.publicClient, {
    ...val(c),
    functionName: 'getValidationStatus',
    args: [requestHash],
    blockNumber,
  })
  const logs = await getLogsPaged(c.publicClient, {
    address: requireValidation(c),
    event: getAbiItem({ abi: validationRegistryAbi, name: 'ValidationResponse' }),
    args: { requestHash },
    toBlock: blockNumber,
  })
  return { requestHash, validator, agentId, response, responseHash, tag, lastUpdate, responded: logs.length > 0 }
}

export async function validationSummary(
  c: Erc8004Client,
  agentId: bigint,
  options: { validators?: Address[]; tag?: string } = {},
): Promise<{ count: bigint; average: number }> {
  const [count, avg] = await readContract(c.publicClient, {
    ...val(c),
    functionName: 'getSummary',
    args: [agentId, options.validators ?? [], options.tag ?? ''],
  })
  return { count: BigInt(count), average: avg }
}

export const agentValidations = (c: Erc8004Client, agentId: bigint) =>
  readContract(c.publicClient, { ...val(c), functionName: 'getAgentValidations', args: [agentId] }) as Promise<
    readonly Hash[]
  >
export const validatorRequests = (c: Erc8004Client, validator: Address) =>
  readContract(c.publicClient, { ...val(c), functionName: 'getValidatorRequests', args: [validator] }) as Promise<
    readonly Hash[]
  >

/**
 * Resolves with the status once the validator has answered (polling the chain's logs), or throws
 * ValidationTimeoutError after `timeoutMs`. `signal` cancels the wait.
 */
export async function waitForValidation(
  c: Erc8004Client,
  requestHash: Hash,
  options: { timeoutMs?: number; pollingIntervalMs?: number; signal?: AbortSignal } = {},
): Promise<ValidationStatus> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  const interval = options.pollingIntervalMs ?? 250
  for (;;) {
    const status = await validationStatus(c, requestHash)
    if (status.responded) return status
    if (options.signal?.aborted)
      throw new ValidationTimeoutError('ERC8004_VALIDATION_WAIT_ABORTED', 'Stopped waiting for the validation.', {
        cause: options.signal.reason,
      })
    if (Date.now() >= deadline) {
      throw new ValidationTimeoutError(
        'ERC8004_VALIDATION_TIMEOUT',
        `No validation response for ${requestHash} within ${options.timeoutMs ?? 60_000} ms.`,
        {
          hint: 'The validator may be offline: wait longer, or ask another validator.',
          details: { requestHash, validator: status.validator },
        },
      )
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, Math.max(0, deadline - Date.now()))))
  }
}
