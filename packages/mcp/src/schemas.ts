import { getAddress, isAddress, type Address } from 'viem'
import { z } from 'zod'

/** The schemas tool arguments share. Amounts travel as decimal strings (JSON has no bigint). */
export const addressArg = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'not an address')
  .transform((v) => getAddress(v) as Address)
export const unitsArg = z.string().regex(/^\d{1,78}$/, 'an amount in base units, as a decimal string')
export const idArg = z.string().regex(/^\d{1,20}$/, 'a decimal id')
export const verdictSchema = z.enum(['allow', 'warn', 'block'])
export const findingSchema = z.looseObject({
  id: z.string(),
  severity: z.enum(['info', 'warn', 'block']),
  message: z.string(),
})
/** txguard's report as JSON (bigints as strings); the fields a caller acts on are typed, the rest passed through. */
export const reportShape = {
  verdict: verdictSchema,
  deterministicVerdict: verdictSchema,
  reasons: z.array(findingSchema),
  summary: z.array(z.string()),
  changes: z.array(z.looseObject({ holder: z.string(), formatted: z.string() })),
  model: z.looseObject({}),
  request: z.looseObject({ kind: z.string(), chainId: z.number() }),
}
