import { isHermitError } from '@hermit/errors'

export type Output = {
  json: boolean
  /** One machine-readable JSON document (with --json) or the human text. */
  result(data: unknown, human: () => string): void
  info(line: string): void
  error(error: unknown): void
}

const replacer = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)

export function createOutput(json: boolean, out = process.stdout, err = process.stderr): Output {
  return {
    json,
    result(data, human) {
      out.write(json ? `${JSON.stringify(data, replacer)}\n` : `${human()}\n`)
    },
    info(line) {
      // progress for people goes to stderr, so stdout stays parseable
      if (!json) err.write(`${line}\n`)
    },
    error(error) {
      if (json) {
        const body = isHermitError(error)
          ? error.toJSON()
          : { name: 'Error', code: 'INTERNAL', message: String((error as Error)?.message ?? error) }
        out.write(`${JSON.stringify({ error: body }, replacer)}\n`)
      } else if (isHermitError(error)) {
        err.write(`error: ${error.shortMessage}\n${error.hint ? `hint: ${error.hint}\n` : ''}`)
      } else {
        err.write(`error: ${String((error as Error)?.message ?? error)}\n`)
      }
    },
  }
}

/** A plain left-aligned table for terminals. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
