/**
 * JSON says nothing about how a number is written, so `8e12` parses to an integer and passes
 * `z.int()`. A grammar-held model (llama.cpp's integer rule allows exponents) can write one where
 * the schema asks for an integer; this finds such a literal, so it becomes a schema error
 * instead of a silently accepted 8000000000000.
 */
type Schema = Record<string, unknown>
export type IntegerLiteralProblem = { path: Array<string | number>; literal: string }

/** The first number literal in `text` written with an exponent or a fraction where `schema` wants an integer. */
export function integerLiteralProblem(text: string, schema: Schema): IntegerLiteralProblem | undefined {
  let literals: Array<{ path: Array<string | number>; literal: string }>
  try {
    literals = numberLiterals(text).filter((l) => /[.eE]/.test(l.literal))
  } catch {
    return undefined // not JSON: the caller reports that
  }
  for (const l of literals) if (wantsIntegerOnly(schema, schema, l.path)) return l
  return undefined
}

/** Every number literal of a JSON text with its path, exactly as written. */
export function numberLiterals(text: string): Array<{ path: Array<string | number>; literal: string }> {
  const out: Array<{ path: Array<string | number>; literal: string }> = []
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const string = (): string => {
    const start = i
    i++ // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (path: Array<string | number>): void => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') return void i++
      for (;;) {
        ws()
        const key = string()
        ws()
        if (text[i++] !== ':') throw new SyntaxError('expected :')
        value([...path, key])
        ws()
        if (text[i] === ',') i++
        else if (text[i++] === '}') return
        else throw new SyntaxError('expected , or }')
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (let n = 0; ; n++) {
        value([...path, n])
        ws()
        if (text[i] === ',') i++
        else if (text[i++] === ']') return
        else throw new SyntaxError('expected , or ]')
      }
    }
    if (c === '"') return void string()
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64))
    if (!m) throw new SyntaxError(`unexpected ${c}`)
    if (m[1] !== 'true' && m[1] !== 'false' && m[1] !== 'null') out.push({ path, literal: m[1]! })
    i += m[1]!.length
  }
  value([])
  return out
}

function resolve(root: Schema, schema: Schema): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string' || !ref.startsWith('#')) return schema
  let node: unknown = root
  for (const part of ref.slice(1).split('/').filter(Boolean)) node = (node as Schema | undefined)?.[part]
  return node && typeof node === 'object' ? (node as Schema) : {}
}

/** The schemas a value at this level may have to follow: anyOf / oneOf / allOf branches flattened. */
function branches(root: Schema, schema: Schema, depth = 0): Schema[] {
  const s = resolve(root, schema)
  const alternatives = [s.anyOf, s.oneOf, s.allOf].filter(Array.isArray).flat() as Schema[]
  if (alternatives.length === 0 || depth > 16) return [s]
  return alternatives.flatMap((b) => branches(root, b, depth + 1))
}

function child(root: Schema, schema: Schema, key: string | number): Schema[] {
  return branches(root, schema).flatMap((s) => {
    if (typeof key === 'number') {
      const prefix = Array.isArray(s.prefixItems) ? (s.prefixItems as Schema[])[key] : undefined
      const items = prefix ?? (s.items && typeof s.items === 'object' ? (s.items as Schema) : undefined)
      return items ? [items] : []
    }
    const props = (s.properties ?? {}) as Record<string, Schema>
    const extra =
      s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined
    const next = props[key] ?? (extra as Schema | undefined)
    return next ? [next] : []
  })
}

const types = (s: Schema): string[] =>
  Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : []

function wantsIntegerOnly(root: Schema, schema: Schema, path: Array<string | number>): boolean {
  let level = [schema]
  for (const key of path) level = level.flatMap((s) => child(root, s, key))
  const leaves = level.flatMap((s) => branches(root, s))
  if (leaves.some((s) => types(s).includes('number'))) return false
  return leaves.some((s) => types(s).includes('integer'))
}
