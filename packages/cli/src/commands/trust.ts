import type { Command } from 'commander'
import { z } from 'zod'
import { checkTrust, explainTrust, formatTrust, type TrustExplanation } from '@hermit/trust'
import { shortMessageOf } from '@hermit/errors'
import { parseArgs } from '../args.ts'
import { modelFromSpec } from '../model.ts'
import type { Output } from '../output.ts'
import { address, chainClient, rpc } from './chain.ts'

/** The model's part: concerns added to the report, never a change to its facts; a failure is said, not fatal. */
type ModelPart =
  | { consulted: true; model: string; explanation: TrustExplanation }
  | { consulted: false; reason: string }

export function registerTrust(program: Command, output: () => Output): void {
  program
    .command('trust <address>')
    .description('who can upgrade, pause, mint or move funds in a contract, through which keys and delays (read-only)')
    .requiredOption('--rpc <url>', 'a node, devnet or fork to read from (nothing is sent)')
    .option('--model <spec>', 'none | ollama:<model> | openai:<model> | llamacpp:<file.gguf>: adds concerns only')
    .option('--from-block <n>', 'oldest block whose AccessControl RoleGranted logs are read')
    .action(async (target: string, raw: Record<string, unknown>) => {
      const out = output()
      const options = parseArgs(
        z.strictObject({
          target: address,
          rpc,
          model: z.string().optional(),
          fromBlock: z
            .string()
            .regex(/^\d+$/, 'expected a block number')
            .transform((v) => BigInt(v))
            .optional(),
          json: z.boolean().optional(),
        }),
        { ...raw, target },
        'trust',
      )
      const client = await chainClient(options.rpc)
      const report = await checkTrust(client, options.target, {
        ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
      })
      let model: ModelPart | undefined
      if (options.model !== undefined || process.env.HERMIT_MODEL) {
        const provider = modelFromSpec(options.model)
        try {
          const result = await explainTrust(provider, report)
          model = result.consulted
            ? { consulted: true, model: result.model, explanation: result.value }
            : { consulted: false, reason: result.reason }
        } catch (error) {
          model = { consulted: false, reason: `the model (${provider.label}) failed: ${shortMessageOf(error)}` }
        }
      }
      out.result({ ...report, ...(model ? { model } : {}) }, () => {
        const text = formatTrust(report)
        if (!model) return text
        if (!model.consulted) return `${text}\n\nModel: not consulted (${model.reason})`
        // the model's words go to a terminal: no control characters (escape sequences) get through
        const plain = (t: string) => t.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
        const concerns = model.explanation.concerns.map((c) => `  - ${plain(c)}`).join('\n')
        return `${text}\n\nModel (${plain(model.model)}), concerns it adds:\n${concerns || '  (none)'}\n${plain(model.explanation.explanation)}`
      })
    })
}
