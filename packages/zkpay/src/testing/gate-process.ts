// One zk-rln gate process, as a gateway behind a load balancer runs: argv = rpcUrl chainId pool
// fromBlock storeUrl (sqlite:<path> or postgres://…) slasherIndex [verifier workers, default 1]. Prints {"port":N} once
// listening. `/hang` is a handler that never answers (the test kills the process there), after
// printing {"handling":"<nullifier>"}; any other path is served `served <path>`.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Address } from 'viem'
import { loadVerificationKey } from '@hermit/circuits'
import { ANVIL_MNEMONIC, createDevnetClients, devAccounts } from '@hermit/devnet'
import { readPool } from '../pool.ts'
import { createZkPayGate } from '../server.ts'
import { nullifierStoreFromUrl } from '../store-url.ts'
import { ProofVerifierPool } from '../verifier.ts'

const [rpcUrl, chainId, poolAddress, fromBlock, storeUrl, slasherIndex, workers] = process.argv.slice(2)
const account = devAccounts(ANVIL_MNEMONIC, 10)[Number(slasherIndex)]!
const { publicClient, walletClient } = createDevnetClients(rpcUrl!, Number(chainId), account)
const pool = await readPool(publicClient, poolAddress as Address)
const store = await nullifierStoreFromUrl(storeUrl!, {
  secretsPassword: 'devnet test password',
  scryptN: 1024,
})
const verifier = new ProofVerifierPool(loadVerificationKey('credit'), { workers: Number(workers ?? '1') })
const gate = createZkPayGate({
  publicClient,
  pool,
  store,
  verifier,
  slasher: walletClient,
  fromBlock: BigInt(fromBlock!),
})
const server = createServer(
  (req, res) =>
    void gate.handle(req, res, async (r, ctx) => {
      if (r.url === '/hang') {
        process.stdout.write(`${JSON.stringify({ handling: ctx.nullifier.toString() })}\n`)
        return new Promise(() => {})
      }
      return { headers: { 'content-type': 'text/plain' }, body: `served ${r.url}` }
    }),
)
server.listen(0, '127.0.0.1', () =>
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`),
)
