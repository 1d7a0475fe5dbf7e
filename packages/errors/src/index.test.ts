import { describe, expect, it } from 'vitest'
import { HermitError, formatPath, isHermitError } from './index.ts'

describe('HermitError', () => {
  it('carries code, short message, hint, cause and details', () => {
    const cause = new Error('low level')
    const err = new HermitError('DEMO_FAILED', 'The demo failed.', { cause, hint: 'Try again.', details: { port: 1 } })
    expect(err.code).toBe('DEMO_FAILED')
    expect(err.shortMessage).toBe('The demo failed.')
    expect(err.message).toContain('Hint: Try again.')
    expect(err.cause).toBe(cause)
    expect(isHermitError(err)).toBe(true)
    expect(isHermitError(cause)).toBe(false)
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'HermitError',
      code: 'DEMO_FAILED',
      message: 'The demo failed.',
      hint: 'Try again.',
      details: { port: 1 },
    })
  })

  it('formats issue paths', () => {
    expect(formatPath(['contracts', 'DevToken', 'address'])).toBe('contracts.DevToken.address')
    expect(formatPath(['accounts', 2])).toBe('accounts[2]')
    expect(formatPath([])).toBe('(root)')
  })
})
