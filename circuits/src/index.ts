// @hermit/circuits: the zero-knowledge layer of Hermit's anonymous API payments.
export { SNARK_FIELD, MAX_TICKETS, randomFieldElement, toField } from './field.ts'
export { identityCommitment, creditLeaf, ticketA1, ticketNullifier } from './hashes.ts'
export { messageX, shareY, recoverSecret, type Share } from './shares.ts'
export {
  MAX_DEPTH,
  createCreditTree,
  merkleProofInputs,
  toCircuitMerkleProof,
  type CreditTree,
  type CircuitMerkleProof,
} from './tree.ts'
export { proveCredit, verifyCredit, type CreditProofInput, type CreditProof } from './credit.ts'
export { proveExit, verifyExit, type ExitProofInput, type ExitProof } from './exit.ts'
export { toSolidityCalldata, type SolidityCalldata } from './calldata.ts'
export {
  CREDIT_PUBLIC_SIGNALS,
  EXIT_PUBLIC_SIGNALS,
  parseCreditSignals,
  parseExitSignals,
  type CreditSignals,
  type ExitSignals,
} from './signals.ts'
export {
  terminateProver,
  loadVerificationKey,
  type Groth16Proof,
  type VerificationKey,
  type ProofWithSignals,
  type ArtifactOverrides,
} from './prover.ts'
export { addressToField } from './validate.ts'
export {
  checkArtifacts,
  findArtifactProblems,
  MANIFEST_NOTE,
  type ArtifactsManifest,
  type CircuitInfo,
} from './manifest.ts'
export {
  ARTIFACTS_DIR,
  CIRCUITS_DIR,
  VERIFIER_FILES,
  artifactPaths,
  type CircuitArtifacts,
  type CircuitName,
} from './paths.ts'
export {
  CircuitError,
  CircuitInputError,
  WitnessError,
  SameXError,
  ArtifactsMismatchError,
  CircuitBuildError,
  CIRCUIT_ERROR_CODES,
  type CircuitErrorCode,
} from './errors.ts'
