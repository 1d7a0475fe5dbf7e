import { z } from 'zod'
import { formatPath } from '@hermit/errors'
import { CliArgumentError } from './errors.ts'

/** Validates parsed command-line options with zod; the error names the flag. */
export function parseArgs<S extends z.ZodType>(schema: S, raw: unknown, command: string): z.output<S> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const flag = `--${formatPath(issue.path).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
  throw new CliArgumentError('CLI_BAD_ARGUMENT', `${command}: ${flag}: ${issue.message}`, {
    hint: `See \`hermit ${command} --help\`.`,
    details: { flag },
  })
}

export const portSchema = z.coerce
  .number({ error: 'expected a port number' })
  .int()
  .min(0, 'expected 0-65535')
  .max(65535, 'expected 0-65535')
export const blockNumberSchema = z
  .string()
  .regex(/^\d+$/, 'expected a block number')
  .transform((v) => BigInt(v))
