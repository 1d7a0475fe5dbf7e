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
import { summarize, type BenchFile } from './lib.ts'

const N = 10
const clientFor = (d: Devnet, i: number): Erc8004Client => ({
  publicClient: d.publicClient,
  walletClient: d.walletFor(d.accounts[i]!),
  registries: registriesFromDeployments(d.deployments),
})
const gas = (r: TransactionReceipt) => Number(r.gasUsed)

export const bench: BenchFile = {
  title: 'ERC-8004 registries (gas per call, measured receipts on the devnet)',
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
      let last = 0n
      for (let i = 0; i < N; i++) {
        add('register()', gas((await registerAgent(owner)).receipts[0]!))
        add(
          'register(agentURI) — ipfs:// URI',
          gas(
            (
              await registerAgent(owner, {
                agentURI: `ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/${i}`,
              })
            ).receipts[0]!,
          ),
        )
        const full = await registerAgent(owner, { registration: file })
        add('register(agentURI) — registration file as data: URI', gas(full.receipts[0]!))
        add(
          'register(agentURI, metadata[1])',
          gas(
            (await registerAgent(owner, { agentURI: 'ipfs://x', metadata: [{ key: 'price', value: toHex('0.01') }] }))
              .receipts[0]!,
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
