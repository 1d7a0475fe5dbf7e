/**
 * The attacks that broke CreditPool's exits and slashes, mounted on the devnet by ordering
 * transactions in one block: automine off, the victim's transaction and the attacker's sent so
 * that the attacker's come first in the block (as a front-runner paying a higher tip gets them),
 * one block mined, and each receipt's position checked.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  getAddress,
  parseGwei,
  toFunctionSelector,
  zeroAddress,
  type Address,
  type Hash,
  type TransactionReceipt,
} from 'viem'
import { ContractRevertError, deployAndWait, writeAndWait } from '@hermit/chain'
import { creditPoolAbi, creditPoolBytecode, creditPoolLinkReferences, linkBytecode } from '@hermit/contracts'
import { useDevnet } from '@hermit/devnet/testing'
import {
  creditLeaf,
  proveCredit,
  proveExit,
  recoverSecret,
  randomFieldElement,
  terminateProver,
  toSolidityCalldata,
} from '@hermit/circuits'
import { ZkPayError } from './errors.ts'
import {
  SLASH_MARGIN,
  deployCreditPool,
  depositToPool,
  finalizeExit,
  proveExitRequest,
  readDeposit,
  requestExit,
  type ExitCall,
  type PoolInfo,
  zkInfraFromDeployments,
} from './pool.ts'
import { syncTree, removalSiblings } from './sync.ts'
import { devnetDepositor, devnetPool, type Depositor } from './testing/index.ts'

const net = useDevnet()
afterAll(() => terminateProver())

const PROVIDER = 5
const HONEST_TIP = parseGwei('1')
const ATTACKER_TIP = parseGwei('50')
const fees = (tip: bigint) => ({ maxPriorityFeePerGas: tip, maxFeePerGas: parseGwei('200') })

type Sent = { name: string; send: () => Promise<Hash> }

/**
 * Sends each transaction with automine off, in this order, which is their order in the block
 * (the devnet keeps arrival order here; the attackers also pay the higher tip), mines one block,
 * and returns the receipts by name.
 */
async function oneBlock(txs: Sent[]): Promise<Record<string, TransactionReceipt>> {
  const { testClient, publicClient } = net()
  const hashes: [string, Hash][] = []
  await testClient.setAutomine(false)
  try {
    for (const tx of txs) hashes.push([tx.name, await tx.send()])
    await testClient.mine({ blocks: 1 })
  } finally {
    await testClient.setAutomine(true)
  }
  const receipts: Record<string, TransactionReceipt> = {}
  for (const [name, hash] of hashes) receipts[name] = await publicClient.waitForTransactionReceipt({ hash })
  expect(new Set(Object.values(receipts).map((r) => r.blockNumber)).size, 'all in one block').toBe(1)
  return receipts
}

const wallet = (index: number) => net().walletFor(net().accounts[index]!)

function sendDeposit(pool: PoolInfo, from: number, leaf: bigint, tickets: bigint, tip: bigint): Sent {
  return {
    name: `deposit ${leaf}`,
    send: () =>
      wallet(from).writeContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'deposit',
        args: [leaf, tickets],
        value: tickets * pool.price + pool.stake,
        gas: 1_500_000n,
        ...fees(tip),
      }),
  }
}

function sendExit(pool: PoolInfo, from: number, call: ExitCall, tip: bigint): Sent {
  return {
    name: `exit ${call.args[0]}`,
    send: () =>
      wallet(from).writeContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'requestExit',
        args: call.args,
        gas: 2_000_000n,
        ...fees(tip),
      }),
  }
}

function sendSlash(pool: PoolInfo, sk: bigint, tickets: bigint, index: number, siblings: bigint[], tip: bigint): Sent {
  return {
    name: `slash ${index}`,
    send: () =>
      wallet(PROVIDER).writeContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'slash',
        args: [sk, tickets, BigInt(index), siblings],
        gas: 1_500_000n,
        ...fees(tip),
      }),
  }
}

/** The same proof and recipient, sent for deposit `index`. */
const atIndex = ({ args: [, recipient, a, b, c] }: ExitCall, index: number): ExitCall => ({
  args: [BigInt(index), recipient, a, b, c],
})

const read = <T>(pool: PoolInfo, functionName: 'currentRoot' | 'providerBalance' | 'lockedStakes') =>
  net().publicClient.readContract({ address: pool.address, abi: creditPoolAbi, functionName }) as Promise<T>

async function passExitDelay(pool: PoolInfo) {
  await net().testClient.increaseTime({ seconds: Number(pool.exitDelay) })
  await net().testClient.mine({ blocks: 1 })
}

const freshRecipient = (): Address => getAddress(`0x${randomFieldElement().toString(16).padStart(64, '0').slice(-40)}`)

describe('CreditPool exits and slashes, front-run in one block (automine off)', () => {
  it('deposits, a slash and another exit mined ahead of an honest requestExit no longer revert it; the exit completes', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const honest = await devnetDepositor(net(), pool, 1, 4n)
    const other = await devnetDepositor(net(), pool, 2, 3n)
    const cheat = await devnetDepositor(net(), pool, 3, 3n)
    const recipient = freshRecipient()
    // the honest exit is proved (and, before, its Merkle path taken) against this root
    const rootWhenProved = await read<bigint>(pool, 'currentRoot')
    const honestExit = await proveExitRequest(net().publicClient, pool.address, {
      secret: honest.secret,
      tickets: 4n,
      leafIndex: honest.leafIndex,
      recipient,
    })
    const otherExit = await proveExitRequest(net().publicClient, pool.address, {
      secret: other.secret,
      tickets: 3n,
      leafIndex: other.leafIndex,
      recipient: net().accounts[2]!.address,
    })
    const synced = await syncTree(net().publicClient, pool.address, { fromBlock })
    const junk = [creditLeaf(randomFieldElement(), 1n), creditLeaf(randomFieldElement(), 1n)]
    // the slash's siblings are stale once the deposits ahead of it land (ignored: the pool keeps its tree)
    const r = await oneBlock([
      sendDeposit(pool, 4, junk[0]!, 1n, ATTACKER_TIP),
      sendDeposit(pool, 6, junk[1]!, 1n, ATTACKER_TIP),
      sendSlash(pool, cheat.secret, 3n, cheat.leafIndex, removalSiblings(synced.tree, cheat.leafIndex), ATTACKER_TIP),
      sendExit(pool, 2, otherExit, ATTACKER_TIP),
      sendExit(pool, 1, honestExit, HONEST_TIP),
    ])
    const honestReceipt = r[`exit ${honest.leafIndex}`]!
    // everything else went first, and changed the root the honest exit was prepared for
    for (const [name, receipt] of Object.entries(r)) {
      expect(receipt.status, name).toBe('success')
      if (receipt !== honestReceipt) expect(receipt.transactionIndex).toBeLessThan(honestReceipt.transactionIndex)
    }
    expect(await read<bigint>(pool, 'currentRoot')).not.toBe(rootWhenProved)
    expect((await readDeposit(net().publicClient, pool.address, honest.leafIndex)).status).toBe('exiting')
    // the pool's root is still the tree of its events (Deposited adds, Slashed and ExitRequested zero a leaf)
    const after = await syncTree(net().publicClient, pool.address, { fromBlock })
    expect([...after.removed].sort()).toEqual([honest.leafIndex, other.leafIndex, cheat.leafIndex].sort())
    expect(after.leaves).toHaveLength(5)
    await passExitDelay(pool)
    const paid = await finalizeExit(net().publicClient, wallet(7), pool.address, honest.leafIndex)
    expect(paid).toMatchObject({ recipient, amount: pool.stake })
    expect(await net().publicClient.getBalance({ address: recipient })).toBe(pool.stake)
  }, 120_000)

  it('a cheater who gets its own deposit and requestExit mined ahead of the slash is slashed while Exiting, and its exit never pays', async () => {
    const { pool, fromBlock } = await devnetPool(net())
    const cheater = await devnetDepositor(net(), pool, 1, 3n)
    await devnetDepositor(net(), pool, 2, 3n)
    // the double-spend: ticket 0 for two requests; the two shares give the gate the secret
    const synced = await syncTree(net().publicClient, pool.address, { fromBlock })
    const spend = (x: bigint) =>
      proveCredit({ sk: cheater.secret, n: 3n, i: 0n, tree: synced.tree, scope: pool.scope, x })
    const [first, second] = [await spend(11n), await spend(12n)]
    const sk = recoverSecret({ x: 11n, y: first.y }, { x: 12n, y: second.y })
    expect(sk).toBe(cheater.secret)
    // the cheater sees the slash coming and front-runs it: a deposit (new root) and its exit
    const loot = freshRecipient()
    const exit = await proveExitRequest(net().publicClient, pool.address, {
      secret: cheater.secret,
      tickets: 3n,
      leafIndex: cheater.leafIndex,
      recipient: loot,
    })
    const earned = await read<bigint>(pool, 'providerBalance')
    const r = await oneBlock([
      sendDeposit(pool, 1, creditLeaf(randomFieldElement(), 1n), 1n, ATTACKER_TIP),
      sendExit(pool, 3, exit, ATTACKER_TIP),
      sendSlash(pool, sk, 3n, cheater.leafIndex, removalSiblings(synced.tree, cheater.leafIndex), HONEST_TIP),
    ])
    const slash = r[`slash ${cheater.leafIndex}`]!
    expect(r[`exit ${cheater.leafIndex}`]!.transactionIndex).toBeLessThan(slash.transactionIndex)
    expect(slash.status).toBe('success')
    const state = await readDeposit(net().publicClient, pool.address, cheater.leafIndex)
    expect(state.status).toBe('slashed')
    expect(await read<bigint>(pool, 'providerBalance')).toBe(earned + 1n * pool.price + pool.stake)
    // its credit proofs' root stays in the window a while, but the stake is gone already
    expect(
      await net().publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'isKnownRoot',
        args: [first.root],
      }),
    ).toBe(true)
    await passExitDelay(pool)
    const refused = await finalizeExit(net().publicClient, wallet(1), pool.address, cheater.leafIndex).catch((e) => e)
    expect(refused).toBeInstanceOf(ZkPayError)
    expect(refused).toMatchObject({ code: 'ZKPAY_EXIT_FAILED' })
    const raw = await writeAndWait(
      { publicClient: net().publicClient, walletClient: wallet(1) },
      { address: pool.address, abi: creditPoolAbi, functionName: 'finalizeExit', args: [BigInt(cheater.leafIndex)] },
    ).catch((e) => e)
    expect(raw).toBeInstanceOf(ContractRevertError)
    expect(String(raw.message)).toMatch(/NotExiting/)
    expect(await net().publicClient.getBalance({ address: loot })).toBe(0n)
  }, 120_000)

  it('after an exit, its leaf cannot be deposited again, and the old exit proof is refused for any deposit', async () => {
    const { pool } = await devnetPool(net())
    const d = await devnetDepositor(net(), pool, 1, 2n)
    const recipient = freshRecipient()
    // an exit proof is bound to its deposit: the right leaf and recipient, proved for deposit 1, fails on deposit 0
    const scopeOf1 = await net().publicClient.readContract({
      address: pool.address,
      abi: creditPoolAbi,
      functionName: 'exitScope',
      args: [1n],
    })
    const forOther = await proveExit({ sk: d.secret, n: 2n, recipient, scope: scopeOf1 })
    const { a, b, c } = toSolidityCalldata(forOther.proof, forOther.publicSignals)
    const misbound = await writeAndWait(
      { publicClient: net().publicClient, walletClient: wallet(1) },
      { address: pool.address, abi: creditPoolAbi, functionName: 'requestExit', args: [0n, recipient, a, b, c] },
    ).catch((e) => e)
    expect(misbound).toBeInstanceOf(ContractRevertError)
    expect(String(misbound.message)).toMatch(/InvalidProof/)
    const exit = await proveExitRequest(net().publicClient, pool.address, {
      secret: d.secret,
      tickets: 2n,
      leafIndex: d.leafIndex,
      recipient,
    })
    await requestExit(net().publicClient, wallet(1), pool.address, exit)
    await passExitDelay(pool)
    await finalizeExit(net().publicClient, wallet(1), pool.address, d.leafIndex)
    const leaf = creditLeaf(d.secret, 2n)
    // the replay of the issue: re-deposit the identical leaf, then exit it again with the old proof
    const again = await depositToPool(net().publicClient, wallet(2), pool, leaf, 2n).catch((e) => e)
    expect(again).toMatchObject({ code: 'ZKPAY_LEAF_USED' })
    const raw = await oneBlock([sendDeposit(pool, 2, leaf, 2n, ATTACKER_TIP)])
    expect(Object.values(raw)[0]!.status).toBe('reverted')
    // the old proof: refused on its own (finished) deposit, and on another deposit's index, since
    // its scope is exitScope(its index) — here a later deposit at index 1
    const later = await devnetDepositor(net(), pool, 2, 2n)
    const replays = await oneBlock([
      sendExit(pool, 2, exit, ATTACKER_TIP),
      sendExit(pool, 3, atIndex(exit, later.leafIndex), ATTACKER_TIP),
    ])
    for (const receipt of Object.values(replays)) expect(receipt.status).toBe('reverted')
    for (const [index, reason] of [
      [d.leafIndex, /NotActive/],
      [later.leafIndex, /InvalidProof/],
    ] as const) {
      const err = await writeAndWait(
        { publicClient: net().publicClient, walletClient: wallet(2) },
        {
          address: pool.address,
          abi: creditPoolAbi,
          functionName: 'requestExit',
          args: atIndex(exit, index).args,
        },
      ).catch((e) => e)
      expect(err).toBeInstanceOf(ContractRevertError)
      expect(String(err.message)).toMatch(reason)
    }
    expect((await readDeposit(net().publicClient, pool.address, later.leafIndex)).status).toBe('active')
  }, 120_000)

  it('re-depositing a used leaf is refused: live, slashed, or a copy mined ahead of the honest deposit', async () => {
    const { pool } = await devnetPool(net())
    const live = await devnetDepositor(net(), pool, 1, 2n)
    const slashed = await devnetDepositor(net(), pool, 2, 2n)
    await writeAndWait(
      { publicClient: net().publicClient, walletClient: wallet(PROVIDER) },
      {
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'slash',
        args: [slashed.secret, 2n, BigInt(slashed.leafIndex), []],
      },
    )
    for (const d of [live, slashed] as Depositor[]) {
      const err = await depositToPool(net().publicClient, wallet(3), pool, creditLeaf(d.secret, 2n), 2n).catch((e) => e)
      expect(err).toBeInstanceOf(ZkPayError)
      expect(err).toMatchObject({ code: 'ZKPAY_LEAF_USED' })
      const raw = await writeAndWait(
        { publicClient: net().publicClient, walletClient: wallet(3) },
        {
          address: pool.address,
          abi: creditPoolAbi,
          functionName: 'deposit',
          args: [creditLeaf(d.secret, 2n), 2n],
          value: 2n * pool.price + pool.stake,
        },
      ).catch((e) => e)
      expect(raw).toBeInstanceOf(ContractRevertError)
      expect(String(raw.message)).toMatch(/LeafUsed/)
    }
    // a copy of a pending deposit, mined ahead of it: the copy lands, the original is refused
    const leaf = creditLeaf(randomFieldElement(), 1n)
    const r = await oneBlock([
      { ...sendDeposit(pool, 4, leaf, 1n, ATTACKER_TIP), name: 'copy' },
      { ...sendDeposit(pool, 1, leaf, 1n, HONEST_TIP), name: 'honest' },
    ])
    expect(r.copy!.status).toBe('success')
    expect(r.honest!.status).toBe('reverted')
    expect(r.copy!.transactionIndex).toBeLessThan(r.honest!.transactionIndex)
    expect(await read<bigint>(pool, 'lockedStakes')).toBe(2n * pool.stake)
  }, 120_000)

  it('a pool whose exit delay leaves less than SLASH_MARGIN after the root window is refused, by the client and by the contract', async () => {
    const { pool } = await devnetPool(net())
    expect(
      await net().publicClient.readContract({
        address: pool.address,
        abi: creditPoolAbi,
        functionName: 'SLASH_MARGIN',
      }),
    ).toBe(SLASH_MARGIN)
    const infra = zkInfraFromDeployments(net().deployments)
    const config = { provider: net().accounts[PROVIDER]!.address, price: 1n, stake: 1n, rootWindow: 600n }
    const short = await deployCreditPool(net().publicClient, wallet(PROVIDER), infra, {
      ...config,
      exitDelay: 600n + SLASH_MARGIN - 1n,
    }).catch((e) => e)
    expect(short).toMatchObject({ code: 'ZKPAY_BAD_OPTIONS' })
    const raw = await deployAndWait(
      { publicClient: net().publicClient, walletClient: wallet(PROVIDER) },
      {
        abi: creditPoolAbi,
        bytecode: linkBytecode(creditPoolBytecode, creditPoolLinkReferences, {
          PoseidonT2: infra.PoseidonT2,
          PoseidonT3: infra.PoseidonT3,
        }),
        args: [
          zeroAddress,
          config.provider,
          1n,
          1n,
          600n,
          600n + SLASH_MARGIN - 1n,
          infra.CreditVerifier,
          infra.ExitVerifier,
        ],
        name: 'CreditPool',
      },
    ).catch((e) => e)
    expect(String(raw)).toContain(toFunctionSelector('BadConfig()')) // the constructor's revert, not decoded by name
    await expect(
      deployCreditPool(net().publicClient, wallet(PROVIDER), infra, { ...config, exitDelay: 600n + SLASH_MARGIN }),
    ).resolves.toMatch(/^0x/)
  }, 60_000)
})
