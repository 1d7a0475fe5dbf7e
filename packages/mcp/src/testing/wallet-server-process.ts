import { fileURLToPath } from 'node:url'

/** The test wallet server's script and how to start it as a downstream (tsx, from the repo root). */
export const WALLET_SERVER_SCRIPT = fileURLToPath(new URL('./wallet-server.ts', import.meta.url))
export const REPO_ROOT = fileURLToPath(new URL('../../../..', import.meta.url))

export function walletServerCommand(rpcUrl: string, privateKey: string) {
  return {
    command: process.execPath,
    args: ['--import', 'tsx', WALLET_SERVER_SCRIPT],
    cwd: REPO_ROOT,
    env: { WALLET_RPC_URL: rpcUrl, EVM_PRIVATE_KEY: privateKey },
  }
}
