import { toHex, type TransactionReceipt } from 'viem'
import { startDevnet, type Devnet } from '@hermit/devnet'
import {
  REGISTRATION_TYPE,
  giveFeedback,
  registerAgent,
  registriesFromDeployments,
  requestValidation,
  respondToValidation,
  type Erc8004Client,
  type RegistrationFileInput,
} from '@hermit/erc8004'
import { iterations, summarize, type BenchFile } from './lib.ts'

const N = iterations(10, 2)
const DATA_URI = 'registerAgent({ registration }) — registration file as data: URI'
const clientFor = (d: Devnet, i: number): Erc8004Client => ({
  publicClient: d.publicClient,
  walletClient: d.walletFor(d.accounts[i]!),
  registries: registriesFromDeployments(d.deployments),
})
const gas = (r: TransactionReceipt) => Number(r.gasUsed)

export const bench: BenchFile = {
  title: 'ERC-8004 registries (gas per call, measured receipts on the devnet)',
  // the SDK (what it sends) and the registries (what it costs)
  measures: ['packages/erc8004', 'contracts/src/erc8004'],
  async run() {
    const d = await startDevnet()
    try {
      const owner = clientFor(d, 1)
      const client = clientFor(d, 2)
      const validator = clientFor(d, 3)
      const samples: Record<string, number[]> = {}
      const add = (name: string, value: number) => (samples[name] ??= []).push(value)
      const file: RegistrationFileInput = {
        type: REGISTRATION_TYPE,
        name: 'Bench agent',
        description: 'x'.repeat(120),
        services: [{ name: 'hermit-job', endpoint: 'http://127.0.0.1:1/jobs', skills: ['summarize'] }],
        active: true,
      }
      // gas of every transaction one registerAgent() call sends (a registration file takes two)
      const sent = (r: { receipts: TransactionReceipt[] }, count: number) => {
        if (r.receipts.length !== count)
          throw new Error(`registerAgent sent ${r.receipts.length} transaction(s), expected ${count}`)
        return r.receipts.reduce((sum, x) => sum + gas(x), 0)
      }
      let last = 0n
      for (let i = 0; i < N; i++) {
        add('register()', sent(await registerAgent(owner), 1))
        add(
          'register(agentURI) — ipfs:// URI',
          sent(
            await registerAgent(owner, {
              agentURI: `ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/${i}`,
            }),
            1,
          ),
        )
        // with a registration file the SDK sends register(agentURI) with the file as a data: URI, then
        // setAgentURI with the file naming its new agentId: the total is both receipts of one call
        const full = await registerAgent(owner, { registration: file })
        add(`${DATA_URI}: both transactions it sends (register + setAgentURI)`, sent(full, 2))
        add(`${DATA_URI}: transaction 1 of 2, register(agentURI)`, gas(full.receipts[0]!))
        add(`${DATA_URI}: transaction 2 of 2, setAgentURI (the file now names its agentId)`, gas(full.receipts[1]!))
        add(
          'register(agentURI, metadata[1])',
          sent(
            await registerAgent(owner, { agentURI: 'ipfs://x', metadata: [{ key: 'price', value: toHex('0.01') }] }),
            1,
          ),
        )
        last = full.agentId
      }
      for (let i = 0; i < N; i++) {
        add(
          'giveFeedback — no file',
          gas(
            (await giveFeedback(client, { agentId: last, value: 90n, valueDecimals: 0, tag1: 'stars', store: false }))
              .receipt,
          ),
        )
        add(
          'giveFeedback — feedback file as data: URI + hash',
          gas(
            (
              await giveFeedback(client, {
                agentId: last,
                value: 9977n,
                valueDecimals: 2,
                tag1: 'uptime',
                endpoint: 'https://a.example',
              })
            ).receipt,
          ),
        )
        const { requestHash, receipt } = await requestValidation(owner, {
          validator: d.accounts[3]!.address,
          agentId: last,
          requestURI: `ipfs://req/${i}`,
          requestHash: toHex(i + 1, { size: 32 }),
        })
        add('validationRequest', gas(receipt))
        add(
          'validationResponse',
          gas(await respondToValidation(validator, { requestHash, response: 90, tag: 'reexecution' })),
        )
      }
      return Object.entries(samples).map(([name, s]) => summarize(`gas: ${name}`, 'gas', s))
    } finally {
      await d.stop()
    }
  },
}
