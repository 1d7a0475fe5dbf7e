import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { CliError } from './errors.ts'

/** A JSON file the user named (a policy, an address book, a token list), checked against its schema. */
export function readJson<T extends z.ZodType>(file: string, schema: T, what: string): z.output<T> {
  let value: unknown
  try {
    value = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    throw new CliError('CLI_INPUT_NOT_JSON', `Cannot read ${what} ${file} as JSON.`, { cause })
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw new CliError('CLI_POLICY_INVALID', `${what} ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
}
