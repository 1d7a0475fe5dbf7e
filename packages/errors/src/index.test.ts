import { describe, expect, it } from 'vitest'
import { HermitError, formatPath, isHermitError, shortMessageOf } from './index.ts'

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

  it('names itself after its subclass, keeps the code type, and serializes that name', () => {
    class ForkFailure extends HermitError<'DEMO_FORK_FAILED'> {}
    const err = new ForkFailure('DEMO_FORK_FAILED', 'No fork.', { hint: 'Check the URL.' })
    expect(err.name).toBe('ForkFailure')
    expect(err).toBeInstanceOf(HermitError)
    expect(err.toJSON().name).toBe('ForkFailure')
    expect(String(err)).toMatch(/^ForkFailure: No fork\./)
  })

  it('shortMessageOf gives one line without the hint, from any error', () => {
    expect(shortMessageOf(new HermitError('DEMO_FAILED', 'The demo failed.', { hint: 'Try again.' }))).toBe(
      'The demo failed.',
    )
    expect(shortMessageOf(Object.assign(new Error('long\ndetails'), { shortMessage: 'short' }))).toBe('short')
    expect(shortMessageOf(new Error('first line\nsecond line'))).toBe('first line')
    expect(shortMessageOf('plain')).toBe('plain')
  })

  it('formats issue paths', () => {
    expect(formatPath(['contracts', 'DevToken', 'address'])).toBe('contracts.DevToken.address')
    expect(formatPath(['accounts', 2])).toBe('accounts[2]')
    expect(formatPath([])).toBe('(root)')
  })
})
