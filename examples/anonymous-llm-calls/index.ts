/**
 * Anonymous paid model calls: a user deposits once into a CreditPool, then an ordinary
 * OpenAI-style app talks to `hermit pay proxy` on 127.0.0.1 (no code change, only a base URL),
 * which pays each call to `hermit gateway` with a zero-knowledge ticket. The gateway, in front of a
 * model server, sees a fresh nullifier per call and nothing that links calls to each other or to the
 * depositor. A cheater who spends a ticket twice reveals its secret and its stake is slashed
 * on-chain, to the provider.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { formatEther, parseEther } from 'viem'
import { creditPoolAbi } from '@hermit/contracts'
import type { Devnet } from '@hermit/devnet'
import { proveCredit, terminateProver, toSolidityCalldata } from '@hermit/circuits'
import { createPayProxy, type ProxyStatus } from '@hermit/gateway'
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
import { devnetDepositor, devnetPool } from '@hermit/zkpay/testing'
import type { Flow } from '../flows.ts'
import { short, type Log } from '../lib/log.ts'
import { startModelGateway } from './gateway.ts'

const CHAT = '/v1/chat/completions'
/** A short chat with a small answer budget: one ticket of 256 tokens pays for it. */
const chatBody = (content: string) =>
  JSON.stringify({ model: 'scripted-model', messages: [{ role: 'user', content }], max_tokens: 32 })

export async function anonymousCalls(
  devnet: Devnet,
  log: Log,
): Promise<{
  nullifiers: string[]
  slashed: boolean
  events: GateEvent[]
  anonymitySet: number
  answers: string[]
  status: ProxyStatus
}> {
  const dir = mkdtempSync(join(tmpdir(), 'hermit-anon-calls-'))
  // the provider (dev account 5) opens a pool and puts a gateway in front of its model server
  const { pool, fromBlock } = await devnetPool(devnet, {
    providerIndex: 5,
    price: parseEther('0.001'),
    stake: parseEther('0.05'),
  })
  const address = pool.address
  log.step(`A provider opens a CreditPool at ${short(address)}: 0.001 ETH a ticket (256 tokens), 0.05 ETH stake`)
  const gateway = await startModelGateway(devnet, { pool, fromBlock, dir, tokensPerTicket: 256, providerIndex: 5 })
  const { events } = gateway
  log.line(`hermit gateway on ${gateway.url} → model server ${gateway.model.url} (scripted: no model runs here)`)
  let proxy: { url: string; close(): Promise<void> } | undefined

  try {
    log.step('Three users deposit once each (the anonymity set); Alice buys 10 tickets')
    const before = await devnet.publicClient.getBalance({ address: devnet.accounts[1]!.address })
    const alice = await devnetDepositor(devnet, pool, 1, 10n, dir)
    await devnetDepositor(devnet, pool, 3, 5n, dir)
    await devnetDepositor(devnet, pool, 4, 5n, dir)
    const after = await devnet.publicClient.getBalance({ address: devnet.accounts[1]!.address })
    log.line(
      `Alice ${short(devnet.accounts[1]!.address)} paid ${formatEther(before - after)} ETH (10 tickets + stake + gas); ` +
        'her identity is a secret, the pool only holds Poseidon(Poseidon(sk_deposit), 10)',
    )

    const paymentRequired = async () =>
      decodeHeader(
        paymentRequiredSchema,
        (await fetch(`${gateway.url}${CHAT}`, { method: 'POST', body: chatBody('price?') })).headers.get(
          HEADER_REQUIRED,
        ) ?? undefined,
        'PAYMENT-REQUIRED',
      )
    const { anonymitySet } = (await paymentRequired()).accepts[0]!.extra
    log.line(
      `the gateway's 402 advertises an anonymity set of ${anonymitySet} live deposits, counted from the pool's events`,
    )

    // Alice's side: `hermit pay proxy`, with proofs made ahead so a call only signs
    const payProxy = createPayProxy({
      client: createZkPayClient({
        identity: alice.identity,
        tickets: alice.tickets,
        publicClient: devnet.publicClient,
        fromBlock,
        minAnonymitySet: 3,
      }),
      gateway: gateway.url,
      precompute: 3,
      minAnonymitySet: 3,
    })
    await payProxy.start()
    proxy = await payProxy.listen({ port: 0 })
    log.line(`hermit pay proxy on ${proxy.url}: 3 proofs made ahead`)

    log.step("Alice's app makes three ordinary OpenAI-style calls to the proxy; it pays each with a ticket")
    const answers: string[] = []
    for (const question of ['What is a nullifier?', 'And a Merkle root?', 'Why Groth16?']) {
      const t0 = performance.now()
      // exactly what any OpenAI client sends: only the base URL points at the proxy
      const res = await fetch(`${proxy.url}${CHAT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-needed' },
        body: chatBody(question),
      })
      const reply = (await res.json()) as { choices: Array<{ message: { content: string } }> }
      answers.push(reply.choices[0]!.message.content)
      log.line(
        `HTTP ${res.status} "${reply.choices[0]!.message.content}" (${(performance.now() - t0).toFixed(0)} ms, proof ready)`,
      )
    }
    const nullifiers = events.flatMap((e) => (e.kind === 'paid' ? [`0x${e.nullifier.toString(16)}`] : []))
    const status = await payProxy.status()
    log.line(
      `the gateway saw ${new Set(nullifiers).size} different nullifiers and no address nor header of the app: ` +
        `it cannot tell the calls came from one person, nor from Alice; /hermit/status: ${status.ticketsLeft} tickets left`,
    )

    log.step('A cheater deposits 2 calls, then spends its ticket 0 twice')
    const cheater = await devnetDepositor(devnet, pool, 2, 2n, dir)
    const cheaterClient = createZkPayClient({
      identity: cheater.identity,
      tickets: cheater.tickets,
      publicClient: devnet.publicClient,
      fromBlock,
    })
    const honest = await cheaterClient.fetch(`${gateway.url}${CHAT}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody('first question'),
    })
    log.line(`first use of ticket 0: HTTP ${honest.status}`)
    const { tree } = await syncTree(devnet.publicClient, address, { fromBlock })
    const body = chatBody('another question, same ticket')
    const proved = await proveCredit({
      sk: cheater.secret,
      n: 2n,
      i: 0n,
      tree,
      scope: pool.scope,
      x: requestBinding('POST', CHAT, body),
    })
    const cd = toSolidityCalldata(proved.proof, proved.publicSignals)
    const required = await paymentRequired()
    const earnedBefore = await devnet.publicClient.readContract({
      address,
      abi: creditPoolAbi,
      functionName: 'providerBalance',
    })
    const cheat = await fetch(`${gateway.url}${CHAT}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
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
    const [, , slashStatus] = await devnet.publicClient.readContract({
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
        `status ${slashStatus === 4 ? 'Slashed' : slashStatus}; provider earnings ${formatEther(earnedBefore)} → ${formatEther(earnedAfter)} ETH`,
    )
    return { nullifiers, slashed: slashStatus === 4, events, anonymitySet, answers, status }
  } finally {
    await proxy?.close()
    await gateway.close()
    await terminateProver()
  }
}

export const flow: Flow = {
  name: 'anonymous-llm-calls',
  title:
    'Anonymous model calls: any app through hermit pay proxy and hermit gateway, a ZK ticket per call, a cheater slashed',
  run: async (devnet, log) => {
    await anonymousCalls(devnet, log)
  },
}
