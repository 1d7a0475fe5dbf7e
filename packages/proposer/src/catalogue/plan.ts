/**
 * Plans for the catalogue's agent, escrow, ZK-pool and generic-call actions: what the chain says
 * is read first (the escrow's token and next job id, the pool's price and stake, whether an agent
 * exists), and every amount must be exactly what the words say. Deterministic: no model here.
 */
import {
  erc20Abi,
  formatUnits,
  parseUnits,
  type Abi,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
} from 'viem'
import { agenticCommerceAbi, creditPoolAbi, identityRegistryAbi } from '@hermit/contracts'
import type { Deployments } from '@hermit/devnet'
import type { ResolvedAsset, ResolvedIntent } from '@hermit/intent'
import { prepareDeposit, readPool, type PoolInfo } from '@hermit/zkpay'
import { shortMessageOf } from '@hermit/errors'
import { buildCall, parseAction, type Action } from '../actions.ts'
import { ProposerError } from '../errors.ts'
import type { Plan, Step } from '../plan.ts'
import { functionSignature, pickFunction, typedArgs, type UserAbi } from './abi.ts'

type Client = PublicClient<Transport, Chain>

/** What the newer actions need besides the words: contracts from the deployments, the user's own files. */
export type CatalogueOptions = {
  /** ERC-8004 registries (register, feedback). */
  erc8004?: { identity: Address; reputation: Address }
  /** The ERC-8183 escrow (AgenticCommerce) that "escrow" in the words means. */
  escrow?: Address
  /**
   * The ZK identity a pool deposit is for, loaded from the keystore the user names: never from the
   * words or a model. Only its deposit secret derivation is used, and only the public leaf leaves it.
   */
  zkIdentity?: { commitment: bigint; depositSecret(nonce: bigint): bigint }
  /** The functions of the ABI file the user supplied: the generic call takes only these. */
  abi?: UserAbi
}

/** The contracts of `@hermit/devnet`'s deployments that the catalogue uses (those present). */
export function catalogueFromDeployments(d: Pick<Deployments, 'contracts'>): CatalogueOptions {
  const at = (n: string) => d.contracts[n]?.address
  const [identity, reputation, escrow] = [at('IdentityRegistry'), at('ReputationRegistry'), at('AgenticCommerce')]
  return {
    ...(identity && reputation ? { erc8004: { identity, reputation } } : {}),
    ...(escrow ? { escrow } : {}),
  }
}

/** The catalogue's contracts by name: "escrow" resolves through it, and txguard reports them by these names. */
export function catalogueBook(c: CatalogueOptions | undefined): Record<string, Address> {
  return {
    ...(c?.escrow ? { escrow: c.escrow } : {}),
    ...(c?.erc8004
      ? { 'ERC-8004 IdentityRegistry': c.erc8004.identity, 'ERC-8004 ReputationRegistry': c.erc8004.reputation }
      : {}),
  }
}

/** ABIs txguard decodes the catalogue's calls with: the escrow, credit pools, and the user's own ABI file. */
export function catalogueAbis(c: CatalogueOptions | undefined): Abi[] {
  return [agenticCommerceAbi, creditPoolAbi, ...(c?.abi ? [c.abi] : [])]
}

type Options = { client: Client; user: Address; catalogue?: CatalogueOptions }

function step(action: Action, user: Address, meaning: string): Step {
  const checked = parseAction(action)
  return { action: checked, call: buildCall(checked, user), meaning }
}

/** The nonce a pool deposit's secret comes from, kept out of the action (and so out of any JSON of the proposal). */
const depositNonces = new WeakMap<object, string>()

/**
 * The secret nonce of a planned pool deposit (for its ticket file, written once the deposit lands:
 * `TicketStore.create(…, { secretNonce })`). With the identity it derives the deposit's secret.
 */
export function depositNonceOf(action: Action): string | undefined {
  return depositNonces.get(action)
}

const label = (a: ResolvedAsset) => a.symbol ?? (a.ref.kind === 'native' ? 'ETH' : a.ref.token)
const fmt = (amount: bigint, a: ResolvedAsset) => `${formatUnits(amount, a.decimals)} ${label(a)}`

function need<T>(value: T | undefined, what: string, hint: string): T {
  if (value === undefined) throw new ProposerError('PROPOSER_UNSUPPORTED', `${what} is not configured.`, { hint })
  return value
}

async function mustHold(client: Client, user: Address, asset: ResolvedAsset, amount: bigint): Promise<void> {
  const balance =
    asset.ref.kind === 'native'
      ? await client.getBalance({ address: user })
      : asset.ref.kind === 'erc20'
        ? await client.readContract({
            address: asset.ref.token,
            abi: erc20Abi,
            functionName: 'balanceOf',
            args: [user],
          })
        : 0n
  if (balance < amount)
    throw new ProposerError(
      'PROPOSER_INSUFFICIENT_BALANCE',
      `You hold ${fmt(balance, asset)}, less than the ${fmt(amount, asset)} asked for.`,
      { hint: 'Lower the amount, or fund the account first.', details: { balance, amount } },
    )
}

/** An exact approval ahead of a pull, when the allowance is short of it. */
async function approvalFor(o: Options, token: Address, spender: Address, amount: bigint, meaning: string) {
  const allowance = await o.client.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [o.user, spender],
  })
  return allowance >= amount ? [] : [step({ kind: 'erc20.approve', token, spender, amount }, o.user, meaning)]
}

type Of<A extends ResolvedIntent['action']> = Extract<ResolvedIntent, { action: A }>

async function planFeedback(r: Of<'agent.feedback'>, o: Options): Promise<Plan> {
  const reg = need(o.catalogue?.erc8004, 'No ERC-8004 registry', 'Give the deployments (they name the registries).')
  const [whole, fraction = ''] = r.score.split('.')
  const decimals = fraction.length
  const value = parseUnits(r.score, decimals)
  if (Number(whole) > 100 || (Number(whole) === 100 && /[1-9]/.test(fraction)) || decimals > 18)
    throw new ProposerError(
      'PROPOSER_INVALID_ACTION',
      `A score is from 0 to 100 (at most 18 decimals), not ${r.score}.`,
    )
  // a rating of an agent that does not exist would only revert: say so first
  try {
    await o.client.readContract({
      address: reg.identity,
      abi: identityRegistryAbi,
      functionName: 'ownerOf',
      args: [r.agentId],
    })
  } catch (cause) {
    throw new ProposerError('PROPOSER_INVALID_ACTION', `There is no ERC-8004 agent #${r.agentId}.`, {
      cause,
      hint: 'Check the agent id (the Registered event of its registration, or `hermit agents`).',
      details: { agentId: r.agentId },
    })
  }
  return {
    steps: [
      step(
        { kind: 'erc8004.feedback', registry: reg.reputation, agentId: r.agentId, value, valueDecimals: decimals },
        o.user,
        `Give ERC-8004 agent #${r.agentId} a score of ${r.score} out of 100.`,
      ),
    ],
    notes: [],
  }
}

async function planEscrow(r: Of<'escrow.fund'>, o: Options): Promise<Plan> {
  const escrow = need(o.catalogue?.escrow, 'No escrow contract', 'Give the deployments (they name AgenticCommerce).')
  if (r.escrow.address !== escrow)
    throw new ProposerError(
      'PROPOSER_UNSUPPORTED',
      `${r.escrow.label} (${r.escrow.address}) is not the escrow the catalogue knows.`,
      {
        hint: `The escrow is ${escrow}; name it "escrow" or leave it out.`,
      },
    )
  const { asset, amount } = r.budget
  const token = await o.client.readContract({ address: escrow, abi: agenticCommerceAbi, functionName: 'paymentToken' })
  if (asset.ref.kind !== 'erc20' || asset.ref.token !== token)
    throw new ProposerError('PROPOSER_INVALID_ACTION', `This escrow pays in ${token}, not in ${label(asset)}.`, {
      hint: 'Give the budget in the escrow\u2019s payment token.',
      details: { paymentToken: token },
    })
  await mustHold(o.client, o.user, asset, amount)
  const [count, block] = await Promise.all([
    o.client.readContract({ address: escrow, abi: agenticCommerceAbi, functionName: 'jobCount' }),
    o.client.getBlock(),
  ])
  // the job's id is the next one: were another job created first, the budget and fund steps would revert, never misfire
  const jobId = count + 1n
  const expiredAt = block.timestamp + r.expiresIn
  const budget = fmt(amount, asset)
  return {
    steps: [
      ...(await approvalFor(o, token, escrow, amount, `Let the escrow (${escrow}) take exactly ${budget}.`)),
      step(
        {
          kind: 'escrow.create',
          escrow,
          provider: r.provider.address,
          evaluator: r.evaluator.address,
          expiredAt,
          description: '',
        },
        o.user,
        `Create escrow job #${jobId} for ${r.provider.label}, evaluated by ${r.evaluator.label}, ` +
          `expiring at ${new Date(Number(expiredAt) * 1000).toISOString()}.`,
      ),
      step({ kind: 'escrow.setBudget', escrow, jobId, amount }, o.user, `Set job #${jobId}'s budget to ${budget}.`),
      step({ kind: 'escrow.fund', escrow, jobId, amount }, o.user, `Fund job #${jobId}: ${budget} into the escrow.`),
    ],
    notes: [`Job id ${jobId}: the escrow has ${count} job(s) so far.`],
  }
}

async function planPoolDeposit(r: Of<'deposit'>, o: Options): Promise<Plan | null> {
  if (r.target === null) return null
  let pool: PoolInfo
  try {
    pool = await readPool(o.client, r.target.address)
  } catch {
    return null // not a credit pool: the catalogue has no other deposit
  }
  const identity = need(
    o.catalogue?.zkIdentity,
    'No ZK identity',
    'Name the ZK identity keystore the deposit is for (--zk-identity <file>).',
  )
  const native = pool.token === null
  if (
    native !== (r.asset.ref.kind === 'native') ||
    (!native && r.asset.ref.kind === 'erc20' && r.asset.ref.token !== pool.token)
  )
    throw new ProposerError('PROPOSER_INVALID_ACTION', `This pool takes ${pool.token ?? 'ETH'}, not ${label(r.asset)}.`)
  if (r.amount === 'all')
    throw new ProposerError('PROPOSER_UNSUPPORTED', 'A pool deposit is an exact amount: tickets × price + stake.')
  const amount = r.amount
  const over = amount - pool.stake
  const price = (n: bigint) => fmt(n * pool.price + pool.stake, r.asset)
  if (over <= 0n || over % pool.price !== 0n || over / pool.price > 2n ** 32n - 1n)
    throw new ProposerError(
      'PROPOSER_INVALID_ACTION',
      `${fmt(amount, r.asset)} is not a whole number of tickets: a deposit is tickets × ${fmt(pool.price, r.asset)} + a ${fmt(pool.stake, r.asset)} stake.`,
      { hint: `E.g. 1 ticket: ${price(1n)}; 10 tickets: ${price(10n)}.` },
    )
  const tickets = over / pool.price
  await mustHold(o.client, o.user, r.asset, amount)
  // a fresh leaf of this identity: the secret stays in the identity, the nonce off the action
  const d = prepareDeposit(identity, tickets)
  const deposit = step(
    { kind: 'zkpay.deposit', pool: pool.address, leaf: d.leaf, tickets: Number(tickets), value: native ? amount : 0n },
    o.user,
    `Deposit ${fmt(amount, r.asset)} into the credit pool ${pool.address}: ${tickets} ticket(s) and the stake, ` +
      `for the identity ${identity.commitment.toString().slice(0, 12)}…`,
  )
  depositNonces.set(deposit.action, d.secretNonce)
  return {
    steps: [
      ...(native
        ? []
        : await approvalFor(
            o,
            pool.token!,
            pool.address,
            amount,
            `Let the pool take exactly ${fmt(amount, r.asset)}.`,
          )),
      deposit,
    ],
    notes: [`Pool price ${fmt(pool.price, r.asset)} a ticket, stake ${fmt(pool.stake, r.asset)}.`],
  }
}

async function planCall(r: Of<'call'>, o: Options): Promise<Plan> {
  const abi = need(
    o.catalogue?.abi,
    'No ABI file',
    'A generic call takes a function only from an ABI you supply (--abi <file>).',
  )
  const fn = pickFunction(abi, r.function, r.args.length)
  const args = typedArgs(fn, r.args)
  if (r.value > 0n && fn.stateMutability !== 'payable')
    throw new ProposerError('PROPOSER_BAD_ARGUMENTS', `${functionSignature(fn)} is not payable: it takes no ETH.`, {
      hint: 'Leave out the amount of ETH.',
    })
  if (r.value > 0n)
    await mustHold(
      o.client,
      o.user,
      { ref: { kind: 'native' }, symbol: 'ETH', decimals: 18, verified: true, source: 'native' },
      r.value,
    )
  const code = await o.client.getCode({ address: r.target.address })
  if (code === undefined || code === '0x')
    throw new ProposerError(
      'PROPOSER_INVALID_ACTION',
      `${r.target.label} (${r.target.address}) has no contract code.`,
      {
        hint: 'Check the address: a call to an account without code does nothing.',
      },
    )
  let step0: Step
  try {
    step0 = step(
      { kind: 'abi.call', to: r.target.address, fn, args, value: r.value },
      o.user,
      `Call ${functionSignature(fn)} on ${r.target.label} (${r.target.address}) with (${args.join(', ')})` +
        `${r.value > 0n ? `, sending ${formatUnits(r.value, 18)} ETH` : ''}.`,
    )
  } catch (cause) {
    throw new ProposerError(
      'PROPOSER_BAD_ARGUMENTS',
      `The arguments do not encode for ${functionSignature(fn)}: ${shortMessageOf(cause)}`,
      { cause },
    )
  }
  return {
    steps: [step0],
    notes: [`The function comes from your ABI: ${functionSignature(fn)} (${fn.stateMutability}).`],
  }
}

/** The plan for a catalogue intent of this file, or null when the intent is none of them. */
export async function planCatalogue(r: ResolvedIntent, o: Options): Promise<Plan | null> {
  switch (r.action) {
    case 'agent.register': {
      const reg = need(o.catalogue?.erc8004, 'No ERC-8004 registry', 'Give the deployments (they name the registries).')
      return {
        steps: [
          step(
            { kind: 'erc8004.register', registry: reg.identity, agentURI: r.uri },
            o.user,
            `Register an ERC-8004 agent with URI ${r.uri}.`,
          ),
        ],
        notes: [],
      }
    }
    case 'agent.feedback':
      return planFeedback(r, o)
    case 'escrow.fund':
      return planEscrow(r, o)
    case 'deposit':
      return planPoolDeposit(r, o)
    case 'call':
      return planCall(r, o)
    default:
      return null
  }
}
