/**
 * zod's JSON schema → the subset node-llama-cpp turns into a grammar. What the subset lacks is
 * translated where it can be (anyOf → oneOf, a small integer range → an enum, a tuple without
 * rest → maxItems) and otherwise dropped and listed in `relaxed`: the grammar then holds the shape,
 * and zod, which still judges every reply, holds the rest (patterns, numeric bounds, formats).
 */
import type { GbnfJsonSchema } from 'node-llama-cpp'

type Schema = Record<string, unknown>
export type GrammarSchema = { schema: GbnfJsonSchema; relaxed: string[] }

/** Integer ranges up to this many values become an enum, which the grammar can hold exactly. */
const MAX_ENUM_RANGE = 64
const GRAMMAR_FORMATS = new Set(['date-time', 'time', 'date'])
const BASIC = new Set(['string', 'number', 'integer', 'boolean', 'null'])
const ANY_JSON: Schema = {
  oneOf: [
    { type: ['string', 'number', 'boolean', 'null'] },
    { type: 'object', additionalProperties: true },
    { type: 'array' },
  ],
}

export function toGrammarSchema(jsonSchema: Record<string, unknown>): GrammarSchema {
  const relaxed: string[] = []
  const recursiveRoot = JSON.stringify(jsonSchema).includes('"$ref":"#"')
  const convert = (s: unknown, at: string): Schema => {
    if (s === true || s === undefined) return ANY_JSON
    if (s === false || s === null || typeof s !== 'object') return { type: 'null' }
    const schema = s as Schema
    const out: Schema = {}
    if (typeof schema.description === 'string') out.description = schema.description
    const note = (what: string) => relaxed.push(`${at || '(root)'}: ${what}`)
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref === '#' ? '#/$defs/__root' : schema.$ref.replace(/^#\/definitions\//, '#/$defs/')
      return { ...out, $ref: ref }
    }
    const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined
    if (Array.isArray(alternatives)) return { ...out, oneOf: alternatives.map((a, i) => convert(a, `${at}|${i}`)) }
    if (Array.isArray(schema.allOf)) {
      const parts = schema.allOf as Schema[]
      if (parts.length === 1) return convert(parts[0], at)
      if (parts.every((p) => p.type === 'object' || p.properties)) {
        note('allOf merged into one object')
        const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {})) as Schema
        return convert({ type: 'object', properties }, at)
      }
      note('allOf: only the first part is held by the grammar')
      return convert(parts[0], at)
    }
    if ('const' in schema) return { ...out, const: schema.const }
    if (Array.isArray(schema.enum)) return { ...out, enum: schema.enum }
    const types = Array.isArray(schema.type)
      ? (schema.type as string[])
      : typeof schema.type === 'string'
        ? [schema.type]
        : []
    if (types.length === 0) {
      if (schema.properties) types.push('object')
      else if (schema.items || schema.prefixItems) types.push('array')
      else if (Object.keys(schema).some((k) => k !== 'description' && !k.startsWith('$'))) {
        if (!('not' in schema)) note('a schema without a type: any JSON value')
      } else return { ...out, ...ANY_JSON }
      if (types.length === 0) return 'not' in schema ? { type: 'null' } : { ...out, ...ANY_JSON }
    }
    if (types.length > 1) return { ...out, oneOf: types.map((t) => convert({ ...schema, type: t }, at)) }
    const type = types[0]!
    for (const key of ['pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'])
      if (key in schema && !(type === 'integer' && isSmallRange(schema))) note(key)
    if (type === 'string') {
      if (typeof schema.format === 'string') {
        if (GRAMMAR_FORMATS.has(schema.format)) return { ...out, type: 'string', format: schema.format }
        note(`format ${schema.format}`)
      }
      return {
        ...out,
        type: 'string',
        ...(typeof schema.minLength === 'number' ? { minLength: schema.minLength } : {}),
        ...(typeof schema.maxLength === 'number' ? { maxLength: schema.maxLength } : {}),
      }
    }
    if (type === 'integer' && isSmallRange(schema)) {
      const [lo, hi] = integerRange(schema)
      return { ...out, enum: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) }
    }
    if (type === 'object') {
      const props = (schema.properties ?? {}) as Record<string, unknown>
      const required = new Set((schema.required ?? []) as string[])
      const optional = Object.keys(props).filter((k) => !required.has(k))
      if (optional.length) note(`optional ${optional.join(', ')}: the grammar always writes them`)
      const extra = schema.additionalProperties
      return {
        ...out,
        type: 'object',
        properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, convert(v, at ? `${at}.${k}` : k)])),
        ...(extra && typeof extra === 'object' ? { additionalProperties: convert(extra, `${at}.*`) } : {}),
        ...(extra === true || (extra === undefined && !schema.properties) ? { additionalProperties: true } : {}),
        ...(typeof schema.minProperties === 'number' ? { minProperties: schema.minProperties } : {}),
        ...(typeof schema.maxProperties === 'number' ? { maxProperties: schema.maxProperties } : {}),
      }
    }
    if (type === 'array') {
      const prefix = Array.isArray(schema.prefixItems) ? (schema.prefixItems as unknown[]) : undefined
      const closed = schema.items === false
      if (schema.uniqueItems) note('uniqueItems')
      const maxItems = closed && prefix ? prefix.length : schema.maxItems
      return {
        ...out,
        type: 'array',
        ...(prefix ? { prefixItems: prefix.map((p, i) => convert(p, `${at}[${i}]`)) } : {}),
        ...(schema.items && typeof schema.items === 'object' ? { items: convert(schema.items, `${at}[]`) } : {}),
        ...(typeof schema.minItems === 'number' ? { minItems: schema.minItems } : {}),
        ...(typeof maxItems === 'number' ? { maxItems } : {}),
      }
    }
    if (BASIC.has(type)) return { ...out, type }
    note(`type ${type}`)
    return { ...out, ...ANY_JSON }
  }
  const root = convert(jsonSchema, '')
  const defs = (jsonSchema.$defs ?? jsonSchema.definitions) as Record<string, unknown> | undefined
  const $defs: Record<string, Schema> = {}
  for (const [name, def] of Object.entries(defs ?? {})) $defs[name] = convert(def, `$defs.${name}`)
  if (recursiveRoot) $defs.__root = root
  const schema = Object.keys($defs).length
    ? recursiveRoot
      ? { $defs, $ref: '#/$defs/__root' }
      : { ...root, $defs }
    : root
  return { schema: schema as GbnfJsonSchema, relaxed }
}

function integerRange(schema: Schema): [number, number] {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined)
  const lo =
    num(schema.minimum) ??
    (num(schema.exclusiveMinimum) === undefined ? undefined : Math.floor(num(schema.exclusiveMinimum)!) + 1)
  const hi =
    num(schema.maximum) ??
    (num(schema.exclusiveMaximum) === undefined ? undefined : Math.ceil(num(schema.exclusiveMaximum)!) - 1)
  return [Math.ceil(lo ?? Number.NaN), Math.floor(hi ?? Number.NaN)]
}

function isSmallRange(schema: Schema): boolean {
  if (schema.type !== 'integer' || 'multipleOf' in schema) return false
  const [lo, hi] = integerRange(schema)
  return Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo && hi - lo < MAX_ENUM_RANGE
}
