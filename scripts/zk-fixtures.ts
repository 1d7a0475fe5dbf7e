/**
 * Writes contracts/test/fixtures/zk.json: real Groth16 proofs (exit and credit) for fixed inputs,
 * so forge tests check the Solidity verifiers and the on-chain Poseidon/LeanIMT against the
 * circuits. Run after rebuilding the circuits: `pnpm zk:fixtures`. A vitest test fails when the
 * fixture no longer verifies against the committed verification keys.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { encodeAbiParameters, getContractAddress, keccak256 } from 'viem'
import {
  SNARK_FIELD,
  createCreditTree,
  creditLeaf,
  proveCredit,
  proveExit,
  terminateProver,
  toSolidityCalldata,
} from '@hermit/circuits'

/** The forge test deploys its pool from this address at nonce 0 on chain 31337 (CreditPoolRealProofsTest). */
export const FORGE_POOL_DEPLOYER = '0x00000000000000000000000000000000000000D3' as const

/** CreditPool's scope: keccak256(abi.encode("hermit.credit-pool.v1", chainid, pool)) mod p. */
export function poolScope(chainId: bigint, pool: `0x${string}`): bigint {
  return (
    BigInt(
      keccak256(
        encodeAbiParameters(
          [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }],
          ['hermit.credit-pool.v1', chainId, pool],
        ),
      ),
    ) % SNARK_FIELD
  )
}

/**
 * CreditPool.exitScope(index), what an exit proof of deposit `index` must carry:
 * keccak256(abi.encode("hermit.credit-pool.exit.v1", chainid, pool, index)) mod p.
 */
export function exitScope(chainId: bigint, pool: `0x${string}`, index: bigint): bigint {
  return (
    BigInt(
      keccak256(
        encodeAbiParameters(
          [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256' }],
          ['hermit.credit-pool.exit.v1', chainId, pool, index],
        ),
      ),
    ) % SNARK_FIELD
  )
}

export const FIXTURE = {
  sk: 123456789012345678901234567890n,
  n: 10n,
  // a second leaf so the tree has a real sibling
  other: 987654321n,
  recipient: '0x00000000000000000000000000000000000000aB' as const,
  scope: 424242n,
  x: 777n,
  i: 3n,
}

export async function makeFixtures() {
  const f = FIXTURE
  const leaf = creditLeaf(f.sk, f.n)
  const tree = createCreditTree([leaf, f.other])
  // the exit proof is for deposit 0 of the forge test's pool
  const scope0 = exitScope(31337n, getContractAddress({ from: FORGE_POOL_DEPLOYER, nonce: 0n }), 0n)
  const exit = await proveExit({ sk: f.sk, n: f.n, recipient: f.recipient, scope: scope0 })
  const credit = await proveCredit({ sk: f.sk, n: f.n, i: f.i, tree, scope: f.scope, x: f.x })
  const s = (v: bigint) => v.toString()
  const calldata = (c: ReturnType<typeof toSolidityCalldata>) =>
    JSON.parse(JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
  return {
    sk: s(f.sk),
    n: s(f.n),
    leaf: s(leaf),
    other: s(f.other),
    root: s(tree.root),
    recipient: f.recipient,
    exitScope: s(scope0),
    exit: calldata(toSolidityCalldata(exit.proof, exit.publicSignals)),
    credit: calldata(toSolidityCalldata(credit.proof, credit.publicSignals)),
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('../contracts/test/fixtures/zk.json', import.meta.url))
  writeFileSync(out, `${JSON.stringify(await makeFixtures(), null, 2)}\n`)
  await terminateProver()
  console.log(`wrote ${out}`)
}
