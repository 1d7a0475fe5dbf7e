/**
 * TEST DOUBLE: ENS on a devnet. The devnet's chain has no ENS and no ENS npm artifact is available
 * here, so the test bed's minimal EIP-137 registry (TestEnsRegistry) is put at the canonical registry
 * address with anvil_setCode, standing in for the mainnet deployment a fork would have; names get a
 * TestEnsResolver. Nothing of this is shipped to users: `chainFacts` only reads the registry.
 */
import type { Address } from 'viem'
import { namehash, normalize } from 'viem/ens'
import { deployAndWait, writeAndWait } from '@hermit/chain'
import {
  testEnsRegistryAbi,
  testEnsRegistryDeployedBytecode,
  testEnsResolverAbi,
  testEnsResolverBytecode,
} from '@hermit/contracts/testbed'
import type { Devnet } from '@hermit/devnet'
import { ENS_REGISTRY } from '../chain.ts'

/** Installs the registry double at ENS_REGISTRY and points each name at its address; returns the resolver. */
export async function installEns(devnet: Devnet, names: Record<string, Address>): Promise<Address> {
  await devnet.testClient.setCode({ address: ENS_REGISTRY, bytecode: testEnsRegistryDeployedBytecode })
  const { address: resolver } = await deployAndWait(devnet, {
    name: 'TestEnsResolver',
    abi: testEnsResolverAbi,
    bytecode: testEnsResolverBytecode,
    args: [],
  })
  for (const [name, address] of Object.entries(names)) {
    const node = namehash(normalize(name))
    await writeAndWait(devnet, {
      address: ENS_REGISTRY,
      abi: testEnsRegistryAbi,
      functionName: 'setResolver',
      args: [node, resolver],
    })
    await writeAndWait(devnet, {
      address: resolver,
      abi: testEnsResolverAbi,
      functionName: 'setAddr',
      args: [node, address],
    })
  }
  return resolver
}
