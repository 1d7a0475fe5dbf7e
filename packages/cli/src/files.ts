import { readFileSync } from 'node:fs'
import type { z } from 'zod'
import { CliError } from './errors.ts'

/**
 * A JSON file the user named (a policy, an address book, a token list), checked against its schema.
 * A file that cannot be read is I/O (CLI_INPUT_UNREADABLE, 74); one that is not JSON, or not of the
 * schema, is bad input (65).
 */
export function readJson<T extends z.ZodType>(file: string, schema: T, what: string): z.output<T> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (cause) {
    throw new CliError('CLI_INPUT_UNREADABLE', `Cannot read ${what} ${file}.`, {
      cause,
      hint: 'Check the path (and that the file is readable).',
    })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new CliError('CLI_INPUT_NOT_JSON', `${what} ${file} is not valid JSON.`, {
      cause,
      hint: 'Fix the file: it must be one JSON document.',
    })
  }
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw new CliError('CLI_POLICY_INVALID', `${what} ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
    hint:
      'A policy is { addressBook: { name: address }, tokens: { SYMBOL: address }, outflowLimits, … }; ' +
      'an address book { name: address }; a token list { SYMBOL: address }.',
  })
}
