/**
 * `hermit propose`'s options for the agent, escrow, pool and generic-call actions: the contracts
 * from the deployments, the user's ABI file (--abi), the ZK identity a pool deposit is for
 * (--zk-identity, password $HERMIT_KEYSTORE_PASSWORD) and where the deposit's ticket state goes.
 */
import { existsSync, renameSync, unlinkSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEventLogs, type Chain, type PublicClient, type Transport } from 'viem'
import { writeFileAtomic } from '@hermit/chain'
import { creditPoolAbi } from '@hermit/contracts'
import type { Deployments } from '@hermit/devnet'
import {
  catalogueFromDeployments,
  depositNonceOf,
  readAbiFile,
  type CatalogueOptions,
  type Proposal,
  type SendResult,
} from '@hermit/proposer'
import { loadKeystore, TicketStore } from '@hermit/zkpay'
import { CliError } from '../errors.ts'
import { secret } from './chain.ts'

export function catalogueOptions(
  deployments: Deployments,
  o: { abi?: string | undefined; zkIdentity?: string | undefined; ticketsFile?: string | undefined },
): CatalogueOptions {
  // said before anything is simulated: a deposit whose ticket state has nowhere to go is never sent
  if (o.zkIdentity && !o.ticketsFile)
    throw new CliError(
      'CLI_BAD_ARGUMENT',
      '--zk-identity needs --tickets-file <file>: the deposit\u2019s ticket state is kept there.',
      {
        hint: 'Name a new file; never reuse or delete one (reusing tickets gets a deposit slashed).',
      },
    )
  return {
    ...catalogueFromDeployments(deployments),
    ...(o.abi ? { abi: readAbiFile(resolve(o.abi)) } : {}),
    ...(o.zkIdentity ? { zkIdentity: loadKeystore(resolve(o.zkIdentity), secret('HERMIT_KEYSTORE_PASSWORD')) } : {}),
  }
}

const deposits = (p: Proposal) => p.steps.filter((s) => s.action.kind === 'zkpay.deposit')

/**
 * Before a pool deposit is sent, its secret nonce is written beside the ticket file (`.pending`):
 * without it the deposit could never be spent or exited, so a crash after broadcast must not lose it.
 */
export function recordPendingDeposit(p: Proposal, ticketsFile: string | undefined): string | null {
  const [step, more] = deposits(p)
  if (!step) return null
  if (more) throw new CliError('CLI_BAD_ARGUMENT', 'One proposal deposits into one pool at a time.')
  if (!ticketsFile)
    throw new CliError(
      'CLI_BAD_ARGUMENT',
      'A pool deposit needs --tickets-file <file>: its ticket state is kept there.',
      {
        hint: 'Name a new file; never reuse or delete one (reusing tickets gets a deposit slashed).',
      },
    )
  const path = resolve(ticketsFile)
  if (existsSync(path) || existsSync(`${path}.pending`))
    throw new CliError('CLI_BAD_ARGUMENT', `${path} already exists.`, {
      hint: 'Each deposit gets its own ticket file.',
    })
  const a = step.action as Extract<Proposal['steps'][number]['action'], { kind: 'zkpay.deposit' }>
  const pending = { pool: a.pool, chainId: p.chainId, tickets: a.tickets, secretNonce: depositNonceOf(step.action) }
  writeFileAtomic(`${path}.pending`, `${JSON.stringify(pending)}\n`)
  return path
}

/** Once the deposit landed: the ticket file with its leaf index (from the Deposited event). */
export async function writeTicketFile(
  client: PublicClient<Transport, Chain>,
  p: Proposal,
  result: SendResult,
  path: string,
): Promise<{ ticketsFile: string; leafIndex: number }> {
  const at = p.steps.findIndex((s) => s.action.kind === 'zkpay.deposit')
  const a = p.steps[at]!.action as Extract<Proposal['steps'][number]['action'], { kind: 'zkpay.deposit' }>
  const receipt = await client.getTransactionReceipt({ hash: result.sent[at]!.hash })
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'Deposited', logs: receipt.logs })
  if (!event)
    throw new CliError('CLI_BAD_ARGUMENT', `The deposit left no Deposited event; its nonce stays in ${path}.pending.`)
  const secretNonce = depositNonceOf(p.steps[at]!.action)!
  const tmp = `${path}.tmp-${process.pid}`
  TicketStore.create(tmp, {
    pool: a.pool,
    chainId: p.chainId,
    leafIndex: Number(event.args.index),
    tickets: a.tickets,
    secretNonce,
  })
  renameSync(tmp, path)
  unlinkSync(`${path}.pending`)
  return { ticketsFile: path, leafIndex: Number(event.args.index) }
}
