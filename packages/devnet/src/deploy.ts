import type { Abi, Address, Hex } from 'viem'
import { deployAndWait, type Reader, type Wallet } from '@hermit/chain'
import {
  agenticCommerceAbi,
  agenticCommerceBytecode,
  hermitJobHookAbi,
  hermitJobHookBytecode,
  creditVerifierAbi,
  creditVerifierBytecode,
  exitVerifierAbi,
  exitVerifierBytecode,
  poseidonT2Abi,
  poseidonT2Bytecode,
  poseidonT3Abi,
  poseidonT3Bytecode,
  devTokenAbi,
  devTokenBytecode,
  identityRegistryAbi,
  identityRegistryBytecode,
  reputationRegistryAbi,
  reputationRegistryBytecode,
  validationRegistryAbi,
  validationRegistryBytecode,
} from '@hermit/contracts'
import { DeployError } from './errors.ts'
import type { DeployedContract } from './deployments.ts'

/** One contract of Hermit's deployment, with constructor arguments that may use earlier ones. */
export type DeployStep = {
  name: string
  abi: Abi
  bytecode: Hex
  args: (deployed: Record<string, DeployedContract>, deployer: Address) => readonly unknown[]
}

/** Gas each ERC-8183 hook call gets on the devnet escrow (feedback with an on-chain file needs ~0.5M). */
export const HOOK_GAS_LIMIT = 1_500_000n
/** The devnet job hook's provider bond: 20% of the budget. */
export const DEVNET_BOND_BPS = 2_000n
/** A delivery must come this long before the expiry to keep the bond safe from it (the evaluator's review window). */
export const DEVNET_REVIEW_SECONDS = 300n

/** Every Hermit contract, in deployment order. Later issues append their contracts here. */
export const hermitDeployPlan: readonly DeployStep[] = [
  {
    name: 'DevToken',
    abi: devTokenAbi,
    bytecode: devTokenBytecode,
    // a stand-in stablecoin: 6 decimals, up to 1,000,000 tokens per faucet call
    args: () => ['Dev USD', 'dUSD', 6, 1_000_000n * 10n ** 6n],
  },
  // ERC-8004 registries: reputation and validation point at the identity registry
  { name: 'IdentityRegistry', abi: identityRegistryAbi, bytecode: identityRegistryBytecode, args: () => [] },
  {
    name: 'ReputationRegistry',
    abi: reputationRegistryAbi,
    bytecode: reputationRegistryBytecode,
    args: (d) => [d.IdentityRegistry!.address],
  },
  {
    name: 'ValidationRegistry',
    abi: validationRegistryAbi,
    bytecode: validationRegistryBytecode,
    args: (d) => [d.IdentityRegistry!.address],
  },
  // ZK credits: Poseidon libraries (linked into CreditPool) and the Groth16 verifiers; pools
  // themselves are per provider and price (@hermit/zkpay deployCreditPool)
  { name: 'PoseidonT2', abi: poseidonT2Abi, bytecode: poseidonT2Bytecode, args: () => [] },
  { name: 'PoseidonT3', abi: poseidonT3Abi, bytecode: poseidonT3Bytecode, args: () => [] },
  { name: 'CreditVerifier', abi: creditVerifierAbi, bytecode: creditVerifierBytecode, args: () => [] },
  { name: 'ExitVerifier', abi: exitVerifierAbi, bytecode: exitVerifierBytecode, args: () => [] },
  // ERC-8183 job escrow paid in DevToken (hooks get 1.5M gas a call), and Hermit's job hook:
  // a provider bond of 20% of the budget, feedback and validation responses into ERC-8004
  {
    name: 'AgenticCommerce',
    abi: agenticCommerceAbi,
    bytecode: agenticCommerceBytecode,
    args: (d) => [d.DevToken!.address, HOOK_GAS_LIMIT],
  },
  {
    name: 'HermitJobHook',
    abi: hermitJobHookAbi,
    bytecode: hermitJobHookBytecode,
    args: (d) => [
      d.AgenticCommerce!.address,
      DEVNET_BOND_BPS,
      DEVNET_REVIEW_SECONDS,
      d.IdentityRegistry!.address,
      d.ReputationRegistry!.address,
      d.ValidationRegistry!.address,
    ],
  },
]

export async function deployPlan(
  publicClient: Reader,
  walletClient: Wallet,
  plan: readonly DeployStep[] = hermitDeployPlan,
): Promise<Record<string, DeployedContract>> {
  const deployed: Record<string, DeployedContract> = {}
  for (const step of plan) {
    try {
      const { address, receipt } = await deployAndWait(
        { publicClient, walletClient },
        {
          name: step.name,
          abi: step.abi,
          bytecode: step.bytecode,
          args: step.args(deployed, walletClient.account.address),
        },
      )
      deployed[step.name] = {
        address,
        txHash: receipt.transactionHash,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
      }
    } catch (cause) {
      throw new DeployError('DEVNET_DEPLOY_FAILED', `Deploying ${step.name} failed.`, {
        hint: 'Rebuild the contracts (`pnpm contracts:build && pnpm contracts:gen`) and check the deployer has funds.',
        details: { contract: step.name },
        cause,
      })
    }
  }
  return deployed
}
