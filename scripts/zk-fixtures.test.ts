import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { loadVerificationKey, terminateProver } from '@hermit/circuits'
import * as snarkjs from 'snarkjs'

type Calldata = { a: string[]; b: string[][]; c: string[]; pub: string[] }
const fixture = JSON.parse(readFileSync(new URL('../contracts/test/fixtures/zk.json', import.meta.url), 'utf8')) as {
  exit: Calldata
  credit: Calldata
}

/** Back from the Solidity shape (b swapped) to snarkjs's. */
const toSnark = (c: Calldata) => ({
  pi_a: [c.a[0], c.a[1], '1'],
  pi_b: [
    [c.b[0]![1], c.b[0]![0]],
    [c.b[1]![1], c.b[1]![0]],
    ['1', '0'],
  ],
  pi_c: [c.c[0], c.c[1], '1'],
  protocol: 'groth16',
  curve: 'bn128',
})

afterAll(() => terminateProver())

describe('contracts/test/fixtures/zk.json (used by the forge tests)', () => {
  it('still verifies against the committed verification keys — if not, run `pnpm zk:fixtures`', async () => {
    for (const name of ['credit', 'exit'] as const) {
      const ok = await snarkjs.groth16.verify(
        loadVerificationKey(name) as never,
        fixture[name].pub,
        toSnark(fixture[name]) as never,
      )
      expect(ok, `${name} fixture is stale: run \`pnpm zk:fixtures\``).toBe(true)
    }
  })
})
