/**
 * A dapp hands the user two transactions: a swap on a router the user knows, and a "claim your
 * reward" that is an unlimited approval to a plain account. Hermit simulates both on the devnet
 * and prints its reports — deterministic rules only unless a model is configured
 * (HERMIT_MODEL=ollama:<model>, OLLAMA_HOST=…).
 */
import type { Devnet } from '@hermit/devnet'
import { providerFromSpec } from '@hermit/llm'
import { formatReport, verify, type Report } from '@hermit/txguard'
import { deployTestbed } from '@hermit/txguard/testing'
import type { Flow } from '../flows.ts'
import type { Log } from '../lib/log.ts'

export async function checkDappTx(
  devnet: Devnet,
  log: Log,
  modelSpec = process.env.HERMIT_MODEL ?? 'none',
): Promise<Report[]> {
  const provider = providerFromSpec(modelSpec, process.env.OLLAMA_HOST ? { ollamaHost: process.env.OLLAMA_HOST } : {})
  log.step('Test bed: a swap router and NFT market the user knows, and an attacker')
  const bed = await deployTestbed(devnet)
  log.line(`address book: ${Object.keys(bed.policy.addressBook ?? {}).join(', ')}; model: ${provider.label}`)
  const reports: Report[] = []
  for (const name of ['benign-swap', 'approval-drainer'] as const) {
    const s = bed.scenarios[name]!
    log.step(`${s.title} — dapp ${s.origin}, user says "${s.intent}"`)
    const report = await verify(s.request, {
      client: devnet.publicClient,
      policy: bed.policy,
      origin: s.origin,
      provider,
      ...(s.intent ? { intent: s.intent } : {}),
    })
    for (const line of formatReport(report).split('\n')) log.line(line)
    log.line(`(checked in ${report.durationMs.toFixed(0)} ms)`)
    reports.push(report)
  }
  return reports
}

export const flow: Flow = {
  name: 'check-dapp-tx',
  title: 'Check what a dapp asks you to sign (simulate, rules, optional local model)',
  run: async (devnet, log) => {
    await checkDappTx(devnet, log)
  },
}
