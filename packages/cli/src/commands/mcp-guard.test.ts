import { toHex, parseEther } from 'viem'
import { describe, expect, it } from 'vitest'
import { defiWorld } from '@hermit/devnet'
import { useDevnet } from '@hermit/devnet/testing'
import { callTool, connectStdio, REPO_ROOT, WALLET_SERVER_SCRIPT } from '@hermit/mcp/testing'
import { HERMIT_BIN } from '../testing/index.ts'

const net = useDevnet({ world: 'defi' })

describe('hermit mcp-guard (the real binary, a stdio wallet server downstream)', () => {
  it('refuses a drainer approval and passes a benign transfer', async () => {
    const d = net()
    const key = toHex(d.accounts[1]!.getHdKey().privateKey!)
    const session = await connectStdio(
      process.execPath,
      [
        HERMIT_BIN,
        'mcp-guard',
        '--rpc',
        d.rpcUrl,
        '--from',
        d.accounts[1]!.address,
        '--',
        process.execPath,
        '--import',
        'tsx',
        WALLET_SERVER_SCRIPT,
      ],
      {
        cwd: REPO_ROOT,
        env: {
          ...(process.env as Record<string, string>),
          WALLET_RPC_URL: d.rpcUrl,
          EVM_PRIVATE_KEY: key,
          HERMIT_MODEL: 'none',
        },
      },
    )
    try {
      const usdc = defiWorld(d.deployments).tokens.USDC
      const drain = await callTool(session.client, 'approve_token_spending', {
        tokenAddress: usdc,
        spenderAddress: d.accounts[7]!.address,
        amount: '1000000000',
      })
      expect(drain.structured.code).toBe('MCP_GUARD_BLOCKED')
      const before = await d.publicClient.getBalance({ address: d.accounts[2]!.address })
      const pay = await callTool(session.client, 'transfer_native', { to: d.accounts[2]!.address, amount: '0.01' })
      if (pay.isError) {
        // an unknown recipient may be a warning: acknowledged, as a user would after reading it
        const ack = pay.structured.acknowledge as { argument: string; value: string }
        expect(pay.structured.code).toBe('MCP_GUARD_UNACKNOWLEDGED')
        await callTool(session.client, 'transfer_native', {
          to: d.accounts[2]!.address,
          amount: '0.01',
          [ack.argument]: ack.value,
        })
      }
      expect((await d.publicClient.getBalance({ address: d.accounts[2]!.address })) - before).toBe(parseEther('0.01'))
      expect(session.stderr()).toMatch(/approve_token_spending → .*: block/)
    } finally {
      await session.close()
    }
  }, 90_000)
})
