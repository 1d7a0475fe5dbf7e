import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { erc20Abi, parseAbi } from 'viem'
import { describe, expect, it } from 'vitest'
import { writeAbiFile } from '../testing/catalogue.ts'
import { parseUserAbi, pickFunction, readAbiFile, typedArgs } from './abi.ts'

const abi = parseUserAbi(
  parseAbi([
    'function set(uint8 small, int16 signed, address who, bool flag)',
    'function poke() payable',
    'function ping(uint256 a)',
    'function ping(address a)',
    'function Ping2(uint256 a)',
    'function ping2(uint256 a)',
    'function read() view returns (uint256)',
    'function label(string s)',
    'event Poked(uint256 n)',
  ]),
)

describe('the generic call: an ABI file the user supplies, arguments checked against it', () => {
  it('reads an ABI array or a Foundry artifact; anything else is PROPOSER_ABI_INVALID naming the field', () => {
    expect(readAbiFile(writeAbiFile(erc20Abi)).map((f) => f.name)).toContain('transfer')
    expect(readAbiFile(writeAbiFile(erc20Abi, true)).map((f) => f.name)).toContain('approve')
    const bad = join(writeAbiFile(erc20Abi), '..', 'bad.json')
    writeFileSync(
      bad,
      '[{"type":"function","name":"x","inputs":[{"type":"uint256; drop"}],"stateMutability":"nonpayable"}]',
    )
    expect(() => readAbiFile(bad)).toThrow(
      expect.objectContaining({ code: 'PROPOSER_ABI_INVALID', message: expect.stringMatching(/0\.inputs\.0\.type/) }),
    )
    writeFileSync(bad, '{"abi": ')
    expect(() => readAbiFile(bad)).toThrow(
      expect.objectContaining({ code: 'PROPOSER_ABI_INVALID', message: expect.stringMatching(/as JSON/) }),
    )
    expect(() => parseUserAbi({ bytecode: '0x' })).toThrow(expect.objectContaining({ code: 'PROPOSER_ABI_INVALID' }))
  })

  it('picks the function by name (any case when only one spelling exists) and arity; refuses unknown, overloaded, ambiguous and read-only ones', () => {
    expect(pickFunction(abi, 'SET', 4).name).toBe('set')
    expect(() => pickFunction(abi, 'drain', 0)).toThrow(expect.objectContaining({ code: 'PROPOSER_UNKNOWN_FUNCTION' }))
    expect(() => pickFunction(abi, 'set', 3)).toThrow(
      expect.objectContaining({ code: 'PROPOSER_BAD_ARGUMENTS', message: expect.stringMatching(/takes 4 argument/) }),
    )
    expect(() => pickFunction(abi, 'ping', 1)).toThrow(
      expect.objectContaining({ code: 'PROPOSER_UNKNOWN_FUNCTION', message: expect.stringMatching(/overloaded/) }),
    )
    expect(() => pickFunction(abi, 'ping2', 1).name).not.toThrow()
    expect(() => pickFunction(abi, 'PING2', 1)).toThrow(
      expect.objectContaining({ code: 'PROPOSER_UNKNOWN_FUNCTION', message: expect.stringMatching(/could be/) }),
    )
    expect(() => pickFunction(abi, 'read', 0)).toThrow(expect.objectContaining({ code: 'PROPOSER_UNSUPPORTED' }))
  })

  it('types each argument by its ABI input: ranges of uint8/int16, addresses, booleans; strings are refused', () => {
    const set = pickFunction(abi, 'set', 4)
    const who = '0x1111111111111111111111111111111111111111'
    expect(typedArgs(set, ['255', '-32768', who, 'true'])).toEqual([255n, -32768n, who, true])
    const fails = (args: string[], pattern: RegExp) =>
      expect(() => typedArgs(set, args)).toThrow(
        expect.objectContaining({ code: 'PROPOSER_BAD_ARGUMENTS', message: expect.stringMatching(pattern) }),
      )
    fails(['256', '0', who, 'true'], /Argument 1 .*outside uint8/)
    fails(['-1', '0', who, 'true'], /outside uint8/)
    fails(['1', '32768', who, 'true'], /Argument 2 .*outside int16/)
    fails(['1', '1.5', who, 'true'], /not a whole number/)
    fails(['1', '1', 'bob', 'true'], /Argument 3 .*not an address/)
    fails(['1', '1', who, 'yes'], /Argument 4 .*not true or false/)
    expect(() => typedArgs(pickFunction(abi, 'label', 1), ['hi'])).toThrow(
      expect.objectContaining({
        code: 'PROPOSER_BAD_ARGUMENTS',
        message: expect.stringMatching(/only uint, int, address and bool/),
      }),
    )
  })
})
