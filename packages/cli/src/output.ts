import { isHermitError } from '@hermit/errors'
import { redactUrl } from '@hermit/devnet'

export type Output = {
  json: boolean
  /** One machine-readable JSON document (with --json) or the human text. */
  result(data: unknown, human: () => string): void
  info(line: string): void
  error(error: unknown): void
}

const replacer = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)

/**
 * RPC URLs often carry an API key in their path or query, and a library's error message may quote
 * the URL it failed on (viem's does): an error shows only scheme, host and port of every URL in it.
 */
export const redactUrls = (text: string) =>
  text.replace(/\b(?:https?|wss?):\/\/[^\s"'`<>]+/g, (match) => {
    const [, url, tail] = /^(.*?)([.,:;!?)\]]*)$/.exec(match)! // a sentence's punctuation is not part of the URL
    return `${redactUrl(url!)}${tail}`
  })

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
        const redacted = (k: string, v: unknown) => {
          const x = replacer(k, v)
          return typeof x === 'string' ? redactUrls(x) : x
        }
        out.write(`${JSON.stringify({ error: body }, redacted)}\n`)
      } else if (isHermitError(error)) {
        err.write(redactUrls(`error: ${error.shortMessage}\n${error.hint ? `hint: ${error.hint}\n` : ''}`))
      } else {
        err.write(redactUrls(`error: ${String((error as Error)?.message ?? error)}\n`))
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
