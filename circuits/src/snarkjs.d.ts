// The part of snarkjs 0.7.6's API that this package uses (snarkjs ships no types).
declare module 'snarkjs' {
  export type SnarkjsLogger = {
    debug: (message: string) => void
    info: (message: string) => void
    warn: (message: string) => void
    error: (message: string) => void
  }

  export type Groth16Proof = {
    pi_a: [string, string, string]
    pi_b: [[string, string], [string, string], [string, string]]
    pi_c: [string, string, string]
    protocol: 'groth16'
    curve: 'bn128'
  }

  export type VerificationKey = {
    protocol: 'groth16'
    curve: 'bn128'
    nPublic: number
    [key: string]: unknown
  }

  /** Every value a decimal string or a bigint, possibly nested in arrays. */
  export type CircuitSignals = Record<string, string | bigint | number | ReadonlyArray<string | bigint | number>>

  export const groth16: {
    fullProve(
      input: CircuitSignals,
      wasmFile: string | Uint8Array,
      zkeyFile: string | Uint8Array,
      logger?: SnarkjsLogger,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    verify(
      vkey: VerificationKey,
      publicSignals: readonly string[],
      proof: Groth16Proof,
      logger?: SnarkjsLogger,
    ): Promise<boolean>
    exportSolidityCallData(proof: Groth16Proof, publicSignals: readonly string[]): Promise<string>
  }

  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, fileName: string, logger?: SnarkjsLogger): Promise<unknown>
    contribute(
      oldPtau: string,
      newPtau: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<unknown>
    preparePhase2(oldPtau: string, newPtau: string, logger?: SnarkjsLogger): Promise<void>
  }

  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkjsLogger): Promise<unknown>
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: SnarkjsLogger,
    ): Promise<unknown>
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHash: string,
      iterationsExp: number,
      logger?: SnarkjsLogger,
    ): Promise<unknown>
    exportVerificationKey(zkey: string, logger?: SnarkjsLogger): Promise<VerificationKey>
    exportSolidityVerifier(zkey: string, templates: { groth16: string }, logger?: SnarkjsLogger): Promise<string>
  }

  export const r1cs: {
    info(
      r1cs: string,
      logger?: SnarkjsLogger,
    ): Promise<{ nConstraints: number; nVars: number; nPrvInputs: number; nPubInputs: number; nOutputs: number }>
  }

  export const wtns: {
    calculate(
      input: CircuitSignals,
      wasmFile: string | Uint8Array,
      wtnsFile: string | { type: 'mem'; data?: Uint8Array },
    ): Promise<void>
  }

  export const curves: {
    getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<{ terminate(): Promise<void> }>
  }
}
