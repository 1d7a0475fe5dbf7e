import { describe, expect, it } from 'vitest'
import { PortInUseError } from '@hermit/devnet'
import { HermitError } from '@hermit/errors'
import { withCliHint } from './errors.ts'

describe('hints in the CLI’s terms', () => {
  it('a library hint that names an option (`port`, minAnonymitySet) names the flag instead; code, message, name and details stay', () => {
    const port = withCliHint(new PortInUseError('127.0.0.1', 8545)) as HermitError
    expect(port).toMatchObject({
      code: 'DEVNET_PORT_IN_USE',
      name: 'PortInUseError',
      shortMessage: 'Port 8545 on 127.0.0.1 is already in use.',
      hint: expect.stringContaining('-p/--port'),
      details: { port: 8545 },
    })
    expect(port.hint).not.toMatch(/`port`/)
    const small = withCliHint(new HermitError('ZKPAY_ANONYMITY_TOO_SMALL', 'Only 1 live deposit.')) as HermitError
    expect(small.hint).toMatch(/--min-anonymity/)
    // others pass through as they are
    const other = new HermitError('CLI_BAD_ARGUMENT', 'x', { hint: 'y' })
    expect(withCliHint(other)).toBe(other)
  })
})
