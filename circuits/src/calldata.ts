import type { Groth16Proof } from 'snarkjs'

/** The arguments of the generated `verifyProof(uint[2] a, uint[2][2] b, uint[2] c, uint[N] pub)`. */
export type SolidityCalldata = {
  a: [bigint, bigint]
  b: [[bigint, bigint], [bigint, bigint]]
  c: [bigint, bigint]
  pub: bigint[]
}

/**
 * Converts a snarkjs proof for the Solidity verifier. The G2 point b is written (x1, x0),
 * (y1, y0): the EVM pairing precompile (EIP-197) takes the imaginary part of each Fp2
 * coordinate first, snarkjs stores the real part first. The projective z coordinates (1) go.
 */
export function toSolidityCalldata(proof: Groth16Proof, publicSignals: readonly string[]): SolidityCalldata {
  const n = (s: string): bigint => BigInt(s)
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [
      [n(proof.pi_b[0][1]), n(proof.pi_b[0][0])],
      [n(proof.pi_b[1][1]), n(proof.pi_b[1][0])],
    ],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
    pub: publicSignals.map(n),
  }
}
