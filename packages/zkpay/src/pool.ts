import { erc20Abi, isAddressEqual, parseEventLogs, zeroAddress, type Address, type Hash } from 'viem'
import { deployAndWait, readContract, writeAndWait, type Reader, type Wallet } from '@hermit/chain'
import { creditPoolAbi, creditPoolBytecode, creditPoolLinkReferences, linkBytecode } from '@hermit/contracts'
import { creditLeaf, proveExit, randomFieldElement, toSolidityCalldata, type SolidityCalldata } from '@hermit/circuits'
import { z } from 'zod'
import { ZkPayError } from './errors.ts'

export type PoolConfig = {
  /** Payment token, or omitted / zero for native ETH. */
  token?: Address
  provider: Address
  /** Per ticket (one call), in base units. */
  price: bigint
  /** Locked per deposit, lost to the provider on a double-spend. */
  stake: bigint
  /** Seconds an older root stays accepted (default 10 min). */
  rootWindow?: bigint
  /**
   * Seconds between requestExit and finalizeExit (default 1 h); at least rootWindow + SLASH_MARGIN
   * (15 min), so that a double-spend made with the exiting leaf's last root is still slashable.
   */
  exitDelay?: bigint
}

/**
 * CreditPool.SLASH_MARGIN (seconds): the least time an exit delay leaves after the root window,
 * for a slash of a double-spend made with an exiting leaf's last root.
 */
export const SLASH_MARGIN = 900n

/** Libraries and verifiers a pool links to (from the devnet deployments or any chain's). */
export type ZkInfra = { PoseidonT2: Address; PoseidonT3: Address; CreditVerifier: Address; ExitVerifier: Address }

export function zkInfraFromDeployments(deployments: { contracts: Record<string, { address: Address }> }): ZkInfra {
  const get = (n: keyof ZkInfra) => {
    const c = deployments.contracts[n]
    if (!c)
      throw new ZkPayError('ZKPAY_NOT_DEPLOYED', `${n} is not in the deployments.`, {
        hint: 'Use a devnet from `pnpm devnet` (it deploys the ZK contracts).',
      })
    return c.address
  }
  return {
    PoseidonT2: get('PoseidonT2'),
    PoseidonT3: get('PoseidonT3'),
    CreditVerifier: get('CreditVerifier'),
    ExitVerifier: get('ExitVerifier'),
  }
}

/** Deploys a CreditPool for one provider and price, linked to the Poseidon libraries. */
export async function deployCreditPool(
  publicClient: Reader,
  wallet: Wallet,
  infra: ZkInfra,
  config: PoolConfig,
): Promise<Address> {
  const rootWindow = config.rootWindow ?? 600n
  const exitDelay = config.exitDelay ?? 3600n
  if (exitDelay < rootWindow + SLASH_MARGIN)
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', `exitDelay ${exitDelay} s is under rootWindow + ${SLASH_MARGIN} s.`, {
      hint: 'An exit must leave the provider SLASH_MARGIN after the root window to slash a late double-spend.',
    })
  const bytecode = linkBytecode(creditPoolBytecode, creditPoolLinkReferences, {
    PoseidonT2: infra.PoseidonT2,
    PoseidonT3: infra.PoseidonT3,
  })
  const { address } = await deployAndWait(
    { publicClient, walletClient: wallet },
    {
      abi: creditPoolAbi,
      bytecode,
      args: [
        config.token ?? zeroAddress,
        config.provider,
        config.price,
        config.stake,
        rootWindow,
        exitDelay,
        infra.CreditVerifier,
        infra.ExitVerifier,
      ],
      name: 'CreditPool',
    },
  )
  return address
}

export type PoolInfo = {
  address: Address
  chainId: number
  token: Address | null
  provider: Address
  price: bigint
  stake: bigint
  rootWindow: bigint
  exitDelay: bigint
  scope: bigint
}

export async function readPool(publicClient: Reader, address: Address): Promise<PoolInfo> {
  const pool = { address, abi: creditPoolAbi } as const
  const [token, provider, price, stake, rootWindow, exitDelay, scope] = await Promise.all([
    readContract(publicClient, { ...pool, functionName: 'token' }),
    readContract(publicClient, { ...pool, functionName: 'provider' }),
    readContract(publicClient, { ...pool, functionName: 'price' }),
    readContract(publicClient, { ...pool, functionName: 'stake' }),
    readContract(publicClient, { ...pool, functionName: 'rootWindow' }),
    readContract(publicClient, { ...pool, functionName: 'exitDelay' }),
    readContract(publicClient, { ...pool, functionName: 'scope' }),
  ])
  return {
    address,
    chainId: publicClient.chain.id,
    token: isAddressEqual(token, zeroAddress) ? null : token,
    provider,
    price,
    stake,
    rootWindow,
    exitDelay,
    scope,
  }
}

/**
 * Deposits `leaf` for `tickets` calls (approving the token first when the pool takes one). A leaf
 * is deposited once per pool, ever: one used before (live, exited or slashed) is refused up front.
 */
export async function depositToPool(
  publicClient: Reader,
  wallet: Wallet,
  pool: PoolInfo,
  leaf: bigint,
  tickets: bigint,
): Promise<{ leafIndex: number; root: bigint }> {
  const clients = { publicClient, walletClient: wallet }
  if (
    await readContract(publicClient, {
      address: pool.address,
      abi: creditPoolAbi,
      functionName: 'usedLeaf',
      args: [leaf],
    })
  )
    throw new ZkPayError('ZKPAY_LEAF_USED', 'This leaf was deposited in the pool before.', {
      hint: 'Make a fresh deposit with prepareDeposit() (a new secret nonce, so a new leaf).',
    })
  const amount = tickets * pool.price + pool.stake
  if (pool.token)
    await writeAndWait(clients, {
      address: pool.token,
      abi: erc20Abi,
      functionName: 'approve',
      args: [pool.address, amount],
    })
  const receipt = await writeAndWait(clients, {
    address: pool.address,
    abi: creditPoolAbi,
    functionName: 'deposit',
    args: [leaf, tickets],
    value: pool.token ? 0n : amount,
  })
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'Deposited', logs: receipt.logs })
  if (!event) throw new ZkPayError('ZKPAY_DEPOSIT_FAILED', 'The deposit left no Deposited event.')
  return { leafIndex: Number(event.args.index), root: event.args.root }
}

export async function isKnownRoot(publicClient: Reader, pool: Address, root: bigint): Promise<boolean> {
  return publicClient.readContract({ address: pool, abi: creditPoolAbi, functionName: 'isKnownRoot', args: [root] })
}

/** A fresh deposit for `identity`: its own secret (from a random nonce) and the leaf to deposit. */
export function prepareDeposit(
  identity: { depositSecret(nonce: bigint): bigint },
  tickets: bigint,
): { secretNonce: string; secret: bigint; leaf: bigint } {
  const nonce = randomFieldElement()
  const secret = identity.depositSecret(nonce)
  return { secretNonce: nonce.toString(), secret, leaf: creditLeaf(secret, tickets) }
}

/** A deposit's state in CreditPool (its `Status` enum). */
export const DEPOSIT_STATUS = ['none', 'active', 'exiting', 'exited', 'slashed'] as const
export type DepositStatus = (typeof DEPOSIT_STATUS)[number]

export type DepositState = {
  leaf: bigint
  tickets: bigint
  status: DepositStatus
  /** Unix seconds from which finalizeExit pays out (0 until an exit is requested). */
  exitAvailableAt: bigint
  exitRecipient: Address | null
}

export async function readDeposit(publicClient: Reader, pool: Address, leafIndex: number): Promise<DepositState> {
  const [leaf, tickets, status, exitAvailableAt, exitRecipient] = await readContract(publicClient, {
    address: pool,
    abi: creditPoolAbi,
    functionName: 'deposits',
    args: [BigInt(leafIndex)],
  })
  return {
    leaf,
    tickets: BigInt(tickets),
    status: DEPOSIT_STATUS[status] ?? 'none',
    exitAvailableAt: BigInt(exitAvailableAt),
    exitRecipient: isAddressEqual(exitRecipient, zeroAddress) ? null : exitRecipient,
  }
}

export type ExitRequest = {
  /** The deposit's own secret (`prepareDeposit().secret`, or `identity.depositSecret(nonce)`). */
  secret: bigint
  tickets: bigint
  leafIndex: number
  /** Who receives the stake after the exit delay (best a fresh address: it is public). */
  recipient: Address
}

const exitRequestSchema = z.object({
  secret: z.bigint().positive(),
  tickets: z.bigint().positive(),
  leafIndex: z.number().int().nonnegative(),
  recipient: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
})

/** The arguments of CreditPool.requestExit, proved and ready to send. */
export type ExitCall = {
  args: readonly [
    index: bigint,
    recipient: Address,
    a: SolidityCalldata['a'],
    b: SolidityCalldata['b'],
    c: SolidityCalldata['c'],
  ]
}

/**
 * Proves an exit of deposit `leafIndex`: knowledge of its secret, for `recipient`, with the scope
 * the pool requires of this deposit (`exitScope(index)`), so the proof is good for this deposit
 * only. The pool keeps its own tree, so the call carries no Merkle path: deposits, exits or
 * slashes mined ahead of it cannot make it revert, and it can be proved well before it is sent.
 */
export async function proveExitRequest(publicClient: Reader, pool: Address, exit: ExitRequest): Promise<ExitCall> {
  const checked = exitRequestSchema.safeParse(exit)
  if (!checked.success)
    throw new ZkPayError('ZKPAY_BAD_OPTIONS', `Exit request: ${checked.error.issues[0]?.path.join('.')} is invalid.`, {
      hint: 'Pass the deposit secret and tickets as bigints, its leaf index as an integer, and a 0x recipient address.',
    })
  const deposit = await readDeposit(publicClient, pool, exit.leafIndex)
  if (deposit.status !== 'active')
    throw new ZkPayError('ZKPAY_EXIT_FAILED', `Deposit ${exit.leafIndex} is ${deposit.status}, not active.`, {
      hint: 'Only an active deposit can start an exit; an exiting one is finalized with finalizeExit().',
    })
  if (deposit.leaf !== creditLeaf(exit.secret, exit.tickets))
    throw new ZkPayError('ZKPAY_EXIT_FAILED', `Deposit ${exit.leafIndex} is not this secret's (its leaf differs).`, {
      hint: "Pass the deposit's own secret and ticket count (from its ticket file).",
    })
  const scope = await readContract(publicClient, {
    address: pool,
    abi: creditPoolAbi,
    functionName: 'exitScope',
    args: [BigInt(exit.leafIndex)],
  })
  const proof = await proveExit({ sk: exit.secret, n: exit.tickets, recipient: exit.recipient, scope })
  const { a, b, c } = toSolidityCalldata(proof.proof, proof.publicSignals)
  return { args: [BigInt(exit.leafIndex), exit.recipient, a, b, c] }
}

/**
 * Starts an exit (see proveExitRequest): the leaf leaves the tree now; the stake is paid to
 * `recipient` by finalizeExit after the pool's exit delay, unless a double-spend gets it slashed.
 */
export async function requestExit(
  publicClient: Reader,
  wallet: Wallet,
  pool: Address,
  exit: ExitRequest | ExitCall,
): Promise<{ hash: Hash; availableAt: bigint; root: bigint }> {
  const call = 'args' in exit ? exit : await proveExitRequest(publicClient, pool, exit)
  const receipt = await writeAndWait(
    { publicClient, walletClient: wallet },
    { address: pool, abi: creditPoolAbi, functionName: 'requestExit', args: call.args },
  )
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'ExitRequested', logs: receipt.logs })
  if (!event) throw new ZkPayError('ZKPAY_EXIT_FAILED', 'The exit request left no ExitRequested event.')
  return { hash: receipt.transactionHash, availableAt: event.args.availableAt, root: event.args.root }
}

/** Pays an exiting deposit's stake to the recipient its exit proof named (anyone may send it, after the delay). */
export async function finalizeExit(
  publicClient: Reader,
  wallet: Wallet,
  pool: Address,
  leafIndex: number,
): Promise<{ hash: Hash; recipient: Address; amount: bigint }> {
  const deposit = await readDeposit(publicClient, pool, leafIndex)
  if (deposit.status !== 'exiting')
    throw new ZkPayError('ZKPAY_EXIT_FAILED', `Deposit ${leafIndex} is ${deposit.status}, not exiting.`, {
      hint:
        deposit.status === 'slashed'
          ? 'A double-spend got it slashed: its stake went to the provider.'
          : 'Start an exit with requestExit() first.',
    })
  const receipt = await writeAndWait(
    { publicClient, walletClient: wallet },
    { address: pool, abi: creditPoolAbi, functionName: 'finalizeExit', args: [BigInt(leafIndex)] },
  )
  const [event] = parseEventLogs({ abi: creditPoolAbi, eventName: 'Exited', logs: receipt.logs })
  if (!event) throw new ZkPayError('ZKPAY_EXIT_FAILED', 'The exit left no Exited event.')
  return { hash: receipt.transactionHash, recipient: event.args.recipient, amount: event.args.amount }
}
