import { z } from 'zod'
import type { Address } from 'viem'
import { shortMessageOf } from '@hermit/errors'
import { generateObject, LlmOutputError, type LlmProvider } from '@hermit/llm'
import { describeIntent, intentSummary } from './describe.ts'
import { IntentModelError } from './errors.ts'
import { intentSchema, type Intent } from './intent.ts'
import { parseIntent } from './parse.ts'
import { compareReadings } from './symbolic.ts'

export type ReadIntentOptions = {
  /** A model to read the words too; without one (or with `none`) the parser's reading is the reading. */
  provider?: LlmProvider
  /** Only the names go into the prompt, never the addresses. */
  addressBook?: Record<string, Address>
  /** Only the symbols go into the prompt. */
  tokens?: Record<string, Address>
  /** The chain's coin as the user writes it (default "ETH"). */
  nativeSymbol?: string
  timeoutMs?: number
  signal?: AbortSignal
}

export type IntentReading = {
  /** The reading the rules use. */
  intent: Intent
  reader: 'parser' | 'model' | 'both'
  /** "your intent as read: … (by …)". */
  described: string
  /** The deterministic parser's reading, always there. */
  parsed: Intent
  /** The model's reading when a model answered with one that fits the schema. */
  modelIntent?: Intent
  /** What the two readings disagreed on, and which one was set aside. */
  disagreement?: string
  /** Why the model's reading could not be used (the parser's stands). */
  modelError?: IntentModelError
}

const replySchema = z.strictObject({ intent: intentSchema })

const SYSTEM = [
  'You read what a wallet user wants to do into JSON that follows the given schema. Use only the user\u2019s words.',
  'Write amounts as decimal strings without separators ("1000.5"), "all" or "max" only when the user says so.',
  'Write assets as the symbol the user wrote ("USDC", "ETH"), an address, or "native". Write people and',
  'contracts as the user named them ("bob", "the vault") or as the address written.',
  'Never add an amount, a recipient, a spender or an approval the words do not state; never write "unlimited"',
  'unless the user says unlimited or infinite. A "don\u2019t" or "never" forbids that action. If you cannot tell',
  'what the user wants, answer {"intent":{"action":"unknown","reason":"…"}}.',
].join(' ')

/** The prompt: the user's words and the names of their own tokens and contacts, nothing from a chain or dapp. */
export function intentPrompt(
  words: string,
  options: Pick<ReadIntentOptions, 'addressBook' | 'tokens' | 'nativeSymbol'>,
) {
  const names = Object.keys(options.addressBook ?? {})
  const symbols = Object.keys(options.tokens ?? {})
  const context = [
    `The native coin is ${options.nativeSymbol ?? 'ETH'}.`,
    symbols.length ? `The user's tokens: ${symbols.join(', ')}.` : "The user's token list is empty.",
    names.length ? `The user's address book: ${names.join(', ')}.` : "The user's address book is empty.",
  ].join(' ')
  return [
    { role: 'system' as const, content: `${SYSTEM} ${context}` },
    { role: 'user' as const, content: words },
  ]
}

/**
 * Reads the user's words: always with the deterministic parser, and with the model when one is
 * given. The parser cross-checks the model: when one reading allows something the other does not,
 * the stricter one is used and `disagreement` says so. When each allows something the other does
 * not, neither is used: the reading is `unknown`.
 */
export async function readIntent(words: string, options: ReadIntentOptions = {}): Promise<IntentReading> {
  const parsed = parseIntent(words)
  const byParser = (extra: Partial<IntentReading> = {}): IntentReading => ({
    intent: parsed,
    reader: 'parser',
    described: describeIntent(parsed, 'parser'),
    parsed,
    ...extra,
  })
  const provider = options.provider
  if (provider === undefined || provider.kind === 'none') return byParser()
  let modelIntent: Intent
  try {
    const result = await generateObject(provider, {
      messages: intentPrompt(words, options),
      schema: replySchema,
      retries: 1,
      temperature: 0,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    if (!result.consulted) return byParser()
    modelIntent = result.value.intent
  } catch (error) {
    const invalid = error instanceof LlmOutputError
    const modelError = new IntentModelError(
      invalid ? 'INTENT_MODEL_INVALID_OUTPUT' : 'INTENT_MODEL_FAILED',
      invalid
        ? `The model's reading of the intent did not fit the schema: ${shortMessageOf(error)}`
        : `The model could not read the intent: ${shortMessageOf(error)}`,
      {
        cause: error,
        hint: invalid
          ? 'The parser\u2019s reading is used. Use a model with structured output, or leave the model out.'
          : 'The parser\u2019s reading is used. Check that the model server is running.',
      },
    )
    return byParser({ modelError })
  }
  const withModel = { parsed, modelIntent }
  if (parsed.action === 'unknown') {
    // the parser has no reading to cross-check with: the model's is the only one
    return { ...withModel, intent: modelIntent, reader: 'model', described: describeIntent(modelIntent, 'model') }
  }
  if (modelIntent.action === 'unknown')
    return byParser({ modelIntent, disagreement: `the model did not understand it (${modelIntent.reason})` })
  const cmp = await compareReadings(parsed, modelIntent, options.nativeSymbol)
  if (cmp.a === null || cmp.b === null)
    return byParser({
      modelIntent,
      disagreement: "the model's reading could not be compared with the parser's: the parser's is used",
    })
  if (cmp.aLooser === null && cmp.bLooser === null)
    return { ...withModel, intent: parsed, reader: 'both', described: describeIntent(parsed, 'both') }
  if (cmp.aLooser === null)
    return byParser({
      modelIntent,
      disagreement: `the model read "${intentSummary(modelIntent)}", which is looser (${cmp.bLooser}): the parser's reading is used`,
    })
  if (cmp.bLooser === null)
    return {
      ...withModel,
      intent: modelIntent,
      reader: 'model',
      described: describeIntent(modelIntent, 'model'),
      disagreement: `the parser read "${intentSummary(parsed)}", which is looser (${cmp.aLooser}): the model's reading is used`,
    }
  const unknown: Intent = {
    action: 'unknown',
    reason:
      `the parser and the model read different things ("${intentSummary(parsed)}" / "${intentSummary(modelIntent)}")`.slice(
        0,
        300,
      ),
  }
  return {
    ...withModel,
    intent: unknown,
    reader: 'both',
    described: describeIntent(unknown, 'both'),
    disagreement: `each reading allows something the other does not (the parser's: ${cmp.aLooser}; the model's: ${cmp.bLooser})`,
  }
}
