/**
 * Anonymous paid API calls: a user deposits once into a CreditPool, then pays every call to a
 * gateway with a zero-knowledge ticket. The gateway sees a fresh nullifier per call and nothing that
 * links calls to each other or to the depositor. A cheater who spends a ticket twice reveals its
 * secret and its stake is slashed on-chain, to the provider.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEther, parseEther } from 'viem'
import { creditPoolAbi } from '@hermit/contracts'
import type { Devnet } from '@hermit/devnet'
import { proveCredit, terminateProver, toSolidityCalldata } from '@hermit/circuits'
import {
  HEADER_REQUIRED,
  HEADER_SIGNATURE,
  createZkPayClient,
  decodeHeader,
  encodeHeader,
  paymentRequiredSchema,
  requestBinding,
  syncTree,
  type GateEvent,
} from '@hermit/zkpay'
import { devnetZkPay } from '@hermit/zkpay/testing'
import type { Flow } from '../flows.ts'
import { short, type Log } from '../lib/log.ts'
import { gatewayHandler, startGateway } from './gateway.ts'

export async function anonymousCalls(
  devnet: Devnet,
  log: Log,
): Promise<{ nullifiers: string[]; slashed: boolean; events: GateEvent[]; anonymitySet: number }> {
  // the provider (dev account 5) opens a pool; its gate slashes double-spends
  const zk = await devnetZkPay(devnet, {
    dir: mkdtempSync(join(tmpdir(), 'hermit-anon-calls-')),
    providerIndex: 5,
    price: parseEther('0.001'),
    stake: parseEther('0.05'),
  })
  const { pool, fromBlock, events } = zk
  const address = pool.address
  log.step(`A provider opens a CreditPool at ${short(address)}: 0.001 ETH a call, 0.05 ETH stake per deposit`)

  const gateway = await startGateway(
    zk.gate,
    gatewayHandler({
      simulation: devnet.publicClient,
      ...(process.env.OLLAMA_HOST ? { ollamaHost: process.env.OLLAMA_HOST } : {}),
    }),
  )
  const chat = process.env.OLLAMA_HOST ? `→ ${process.env.OLLAMA_HOST}` : 'needs OLLAMA_HOST: not set, no model here'
  log.line(`gateway on ${gateway.url}: POST /v1/txguard/verify (deterministic), POST /api/chat (${chat})`)

  try {
    log.step('Three users deposit once each (the anonymity set); Alice buys 10 calls')
    const before = await devnet.publicClient.getBalance({ address: devnet.accounts[1]!.address })
    const alice = await zk.deposit(1, 10n)
    await zk.deposit(3, 5n)
    await zk.deposit(4, 5n)
    const after = await devnet.publicClient.getBalance({ address: devnet.accounts[1]!.address })
    log.line(
      `Alice ${short(devnet.accounts[1]!.address)} paid ${formatEther(before - after)} ETH (10 calls + stake + gas); ` +
        'her identity is a secret, the pool only holds Poseidon(Poseidon(sk_deposit), 10)',
    )

    const paymentRequired = async () =>
      decodeHeader(
        paymentRequiredSchema,
        (await fetch(`${gateway.url}/v1/txguard/verify`, { method: 'POST' })).headers.get(HEADER_REQUIRED) ?? undefined,
        'PAYMENT-REQUIRED',
      )
    const { anonymitySet } = (await paymentRequired()).accepts[0]!.extra
    log.line(
      `the gateway's 402 advertises an anonymity set of ${anonymitySet} live deposits, counted from the pool's events`,
    )

    const client = createZkPayClient({
      identity: alice.identity,
      tickets: alice.tickets,
      publicClient: devnet.publicClient,
      fromBlock,
      minAnonymitySet: 3,
    })
    log.step('Alice makes three paid calls: each carries a Groth16 proof of "some deposit, unspent ticket"')
    const nullifiers: string[] = []
    for (const to of [devnet.accounts[2]!.address, devnet.accounts[6]!.address, devnet.accounts[7]!.address]) {
      const request = {
        chainId: devnet.chainId,
        from: devnet.accounts[1]!.address,
        to,
        value: parseEther('0.1').toString(),
        data: '0x',
      }
      const t0 = performance.now()
      const res = await client.fetch(`${gateway.url}/v1/txguard/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      })
      const report = (await res.json()) as { verdict: string }
      nullifiers.push(res.payment!.nullifier)
      log.line(
        `call ${res.ticket}: HTTP ${res.status}, verdict ${report.verdict}, nullifier ${res.payment!.nullifier.slice(0, 10)}… ` +
          `(${(performance.now() - t0).toFixed(0)} ms incl. proving)`,
      )
    }
    log.line(
      `the gateway saw ${new Set(nullifiers).size} different nullifiers and no address: it cannot tell the calls came from one person, nor from Alice`,
    )

    log.step('A cheater deposits 2 calls, then spends its ticket 0 twice')
    const cheater = await zk.deposit(2, 2n)
    const cheaterClient = createZkPayClient({
      identity: cheater.identity,
      tickets: cheater.tickets,
      publicClient: devnet.publicClient,
      fromBlock,
    })
    const honest = await cheaterClient.fetch(`${gateway.url}/v1/txguard/verify`, {
      method: 'POST',
      body: JSON.stringify({
        chainId: devnet.chainId,
        from: devnet.accounts[2]!.address,
        to: devnet.accounts[3]!.address,
        data: '0x',
      }),
    })
    log.line(`first use of ticket 0: HTTP ${honest.status}`)
    const { tree } = await syncTree(devnet.publicClient, address, { fromBlock })
    const body = JSON.stringify({
      chainId: devnet.chainId,
      from: devnet.accounts[2]!.address,
      to: devnet.accounts[4]!.address,
      data: '0x',
    })
    const proved = await proveCredit({
      sk: cheater.secret,
      n: 2n,
      i: 0n,
      tree,
      scope: pool.scope,
      x: requestBinding('POST', '/v1/txguard/verify', body),
    })
    const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
    const required = await paymentRequired()
    const earnedBefore = await devnet.publicClient.readContract({
      address,
      abi: creditPoolAbi,
      functionName: 'providerBalance',
    })
    const cheat = await fetch(`${gateway.url}/v1/txguard/verify`, {
      method: 'POST',
      body,
      headers: {
        [HEADER_SIGNATURE]: encodeHeader({
          x402Version: 2,
          accepted: required.accepts[0],
          payload: { proof: { a: cd.a, b: cd.b, c: cd.c }, publicSignals: cd.pub },
        }),
      },
    })
    const earnedAfter = await devnet.publicClient.readContract({
      address,
      abi: creditPoolAbi,
      functionName: 'providerBalance',
    })
    const [, , status] = await devnet.publicClient.readContract({
      address,
      abi: creditPoolAbi,
      functionName: 'deposits',
      args: [BigInt(cheater.leafIndex)],
    })
    const slash = events.find((e) => e.kind === 'double-spend')
    const slashTx = slash && 'slashTx' in slash ? slash.slashTx : null
    log.line(
      `second use of ticket 0: HTTP ${cheat.status} — same nullifier, different request: two points of one line reveal the secret`,
    )
    log.line(
      `the gateway slashed deposit #${cheater.leafIndex} on-chain (tx ${slashTx ? short(slashTx) : 'none'}); ` +
        `status ${status === 4 ? 'Slashed' : status}; provider earnings ${formatEther(earnedBefore)} → ${formatEther(earnedAfter)} ETH`,
    )
    return { nullifiers, slashed: status === 4, events, anonymitySet }
  } finally {
    await gateway.close()
    await zk.close()
    await terminateProver()
  }
}

export const flow: Flow = {
  name: 'anonymous-llm-calls',
  title: 'Anonymous paid API calls: deposit once, pay each call with a ZK ticket, slash a cheater',
  run: async (devnet, log) => {
    await anonymousCalls(devnet, log)
  },
}
