import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import { formatEther, getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'
import { defiWorld, readDeployments } from '@hermit/devnet'
import {
  assertSendable,
  planWords,
  propose,
  sendProposal,
  type Proposal,
  type ProposeOptions,
  type SendResult,
} from '@hermit/proposer'
import { policySchema } from '@hermit/txguard'
import { isHermitError } from '@hermit/errors'
import { parseArgs } from '../args.ts'
import { CliError } from '../errors.ts'
import { readJson } from '../files.ts'
import { ExitCode } from '../exit.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'
import { address, chainClient } from './chain.ts'
import { signerFor } from './keys.ts'
import { awaitsOwners, safeOptions, safeText } from './propose-safe.ts'
import { catalogueOptions, recordPendingDeposit, writeTicketFile } from './propose-catalogue.ts'
import { DEFAULT_DEPLOYMENTS_PATH } from './devnet.ts'

const proposeSchema = z.strictObject({
  rpc: z.url({ protocol: /^(https?|wss?)$/, error: 'expected an http(s) or ws(s) JSON-RPC URL' }),
  yes: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  from: z
    .string()
    .refine((s) => isAddress(s, { strict: false }), 'an address')
    .optional(),
  policy: z.string().optional(),
  addressBook: z.string().optional(),
  tokens: z.string().optional(),
  deployments: z.string().min(1).default(DEFAULT_DEPLOYMENTS_PATH),
  journal: z.string().min(1).optional(),
  venue: z.enum(['v2', 'v3', 'best']).optional(),
  model: z.string().optional(),
  abi: z.string().min(1).optional(),
  zkIdentity: z.string().min(1).optional(),
  ticketsFile: z.string().min(1).optional(),
  keystore: z.string().min(1).optional(),
  safe: address.optional(),
  json: z.boolean().optional(),
})

function describe(p: Proposal): string {
  const lines = [`${p.reading.described}`, p.reading.model.note, ...p.notes.map((n) => `  ${n}`), '', 'Plan:']
  for (const [i, s] of p.steps.entries()) {
    lines.push(`  ${i + 1}. ${s.meaning}`)
    lines.push(
      `     call ${s.call.to} value ${formatEther(s.call.value)} ETH, gas ${s.gas} (used ${s.gasUsed} on the fork)`,
    )
    if (s.report.decoded?.signature) lines.push(`     decoded: ${s.report.decoded.signature}`)
    for (const c of s.report.changes) lines.push(`     ${c.holderName}: ${c.formatted}`)
    lines.push(`     verdict: ${s.report.verdict}`)
  }
  lines.push('', `Verdict: ${p.verdict.toUpperCase()}`)
  for (const r of p.reasons) lines.push(`  [${r.severity}] step ${r.step}: ${r.message}`)
  return lines.join('\n')
}

const sentText = (r: SendResult) =>
  [
    ...r.sent.map((s, i) => `sent step ${i + 1}: ${s.hash} (${s.status}, gas ${s.gasUsed})`),
    ...(r.differences.length
      ? [
          'REAL EFFECTS DIFFER FROM THE SIMULATION:',
          ...r.differences.map((d) => `  step ${d.step} ${d.asset}: simulated ${d.simulated}, real ${d.real}`),
        ]
      : ['real effects match the simulation']),
  ].join('\n')

export function registerPropose(program: Command, output: () => Output, setExit: (code: number) => void): void {
  program
    .command('propose')
    .description(
      'words → a plan Hermit builds → simulated and checked on a fork → signed ($HERMIT_PRIVATE_KEY or --keystore) and sent; ' +
        'exit 0 sent or proposed, 1 warning not confirmed, 2 blocked',
    )
    .argument('<words>', 'what to do, e.g. "swap 1000 USDC for ETH, at least 0.3 ETH"')
    .requiredOption('--rpc <url>', 'JSON-RPC of the chain (a fork of it simulates the plan)')
    .option('--yes', 'confirm a warning (its reasons are shown again first)')
    .option('--dry-run', 'only show the plan: no simulation, nothing signed')
    .option('--from <address>', 'propose for this address without a key: checked, never sent')
    .option(
      '--keystore <file>',
      'sign with the key in this keystore (`hermit keys`; password $HERMIT_KEYSTORE_PASSWORD)',
    )
    .option('--safe <address>', 'the Safe "my safe" means (default: the deployments\' Safe)')
    .option('--policy <file>', 'JSON policy (txguard): address book, token list, outflow limits')
    .option('--address-book <file>', 'JSON { name: address }')
    .option('--tokens <file>', 'JSON { SYMBOL: address }: your token list')
    .option('--deployments <file>', 'deployments JSON with the DeFi world (Uniswap, WETH)', DEFAULT_DEPLOYMENTS_PATH)
    .option(
      '--journal <file>',
      'where signed transactions are recorded before broadcast (default ~/.hermit/proposer-journal.json)',
    )
    .option('--venue <v2|v3|best>', 'which Uniswap a swap uses (default: the better quote)')
    .option(
      '--model <spec>',
      'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf> (default $HERMIT_MODEL or none)',
    )
    .option(
      '--abi <file>',
      'JSON ABI (or compiler artifact): "call <function> … on <contract>" takes only its functions',
    )
    .option('--zk-identity <file>', 'ZK identity keystore a credit-pool deposit is for ($HERMIT_KEYSTORE_PASSWORD)')
    .option('--tickets-file <file>', "a pool deposit's ticket state (a new file; never delete it)")
    .action(async (words: string, raw: Record<string, unknown>) => {
      const out = output()
      const o = parseArgs(proposeSchema, raw, 'propose')
      const policy = o.policy ? readJson(o.policy, policySchema, 'Policy') : undefined
      const addressBook = o.addressBook ? readJson(o.addressBook, policySchema.shape.addressBook, 'Address book') : {}
      const tokens = o.tokens ? readJson(o.tokens, policySchema.shape.tokens, 'Token list') : {}
      const deployments = readDeployments(resolve(o.deployments))
      const protocols = defiWorld(deployments)
      const client = await chainClient(o.rpc)
      const signer = o.from ? null : signerFor(o.keystore, o.rpc, client.chain.id)
      const user: Address = o.from ? getAddress(o.from) : signer!.account.address
      const provider = modelFromSpec(o.model)
      const options: ProposeOptions = {
        client,
        rpcUrl: o.rpc,
        user,
        protocols,
        addressBook: { ...policy?.addressBook, ...addressBook },
        tokens: { ...policy?.tokens, ...tokens },
        ...(policy ? { policy } : {}),
        ...(provider.kind === 'none' ? {} : { provider }),
        ...(o.venue ? { venue: o.venue } : {}),
        catalogue: catalogueOptions(deployments, o),
        // "my safe": --safe, else the deployments' Safe; the SafeTx is signed with the key that proposes
        ...safeOptions(o.safe, deployments, signer?.account),
      }
      if (o.dryRun) {
        const { reading, plan } = await planWords(words, options)
        out.result({ intent: reading.intent, reader: reading.reader, notes: plan.notes, steps: plan.steps }, () =>
          [reading.described, ...plan.notes, ...plan.steps.map((s, i) => `${i + 1}. ${s.meaning} → ${s.call.to}`)].join(
            '\n',
          ),
        )
        return
      }
      const proposal = await propose(words, options)
      if (awaitsOwners(proposal, o.yes)) {
        out.result(
          { proposal, sent: false, safe: proposal.safe },
          () => `${describe(proposal)}\n\n${safeText(proposal)}`,
        )
        return
      }
      try {
        assertSendable(proposal, o.yes)
      } catch (error) {
        if (!isHermitError(error)) throw error
        out.result({ proposal, sent: false, refused: error.code }, () => `${describe(proposal)}\n\n${error.message}`)
        setExit(proposal.verdict === 'block' ? ExitCode.block : ExitCode.warn)
        return
      }
      if (!signer) {
        out.result({ proposal, sent: false }, () => `${describe(proposal)}\n\nproposed for ${user}, not sent (no key)`)
        return
      }
      const journal = o.journal ?? join(homedir(), '.hermit', 'proposer-journal.json')
      const ticketsPath = recordPendingDeposit(proposal, o.ticketsFile)
      const result = await sendProposal(proposal, { client, account: signer.account, journal, yes: o.yes === true })
      const tickets = ticketsPath ? await writeTicketFile(client, proposal, result, ticketsPath) : null
      out.result({ proposal, sent: true, result, ...(tickets ? { tickets } : {}) }, () =>
        [
          `${describe(proposal)}\n\n${sentText(result)}`,
          ...(tickets ? [`ticket state in ${tickets.ticketsFile}`] : []),
        ].join('\n'),
      )
      if (result.differences.length > 0)
        out.info('WARNING: the real effects differ from the simulated ones (see above).')
    })
}
