import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { CliError } from './errors.ts'
import { createOutput, redactUrls } from './output.ts'

const sink = () => {
  const s = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        s.text += String(chunk)
        done()
      },
    }),
    { text: '' },
  )
  return s
}

// what viem's HttpRequestError says when an RPC fails mid-command
const viemError = new Error(
  'HTTP request failed.\n\nStatus: 500\nURL: https://eth.example.org/v2/SECRETKEY?x=1\nRequest body: {"method":"eth_call"}',
)

describe('CLI output', () => {
  it('redactUrls keeps scheme, host and port of every URL, drops path, query and credentials, and keeps the punctuation after', () => {
    expect(redactUrls('at https://eth.example.org/v2/SECRETKEY.')).toBe('at https://eth.example.org/….')
    expect(redactUrls('fork wss://u:p@node.example:8546/?apikey=SECRET: down')).toBe(
      'fork wss://node.example:8546/…: down',
    )
    expect(redactUrls('local http://127.0.0.1:8545 and (http://127.0.0.1:9/x)')).toBe(
      'local http://127.0.0.1:8545 and (http://127.0.0.1:9/…)',
    )
  })

  it('an error never shows the path or query of a URL in it (where RPC API keys live), in human and --json output', () => {
    for (const error of [
      viemError,
      new CliError('CLI_RPC_UNREACHABLE', 'https://eth.example.org/v2/SECRETKEY fails'),
    ]) {
      const [out, err] = [sink(), sink()]
      createOutput(false, out as never, err as never).error(error)
      createOutput(true, out as never, err as never).error(error)
      expect(out.text + err.text).not.toMatch(/SECRETKEY/)
      expect(err.text).toMatch(/https:\/\/eth\.example\.org\/…/)
      expect(JSON.parse(out.text).error.message).toMatch(/https:\/\/eth\.example\.org\/…/)
    }
  })
})
