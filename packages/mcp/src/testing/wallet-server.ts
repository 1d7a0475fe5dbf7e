/**
 * A small stdio MCP wallet server for the guard's tests, standing in for evm-mcp-server: the same
 * tool names and argument names (transfer_native, transfer_erc20, approve_token_spending,
 * write_contract, get_balance), and like it, it signs whatever it is asked with the key in its
 * environment (EVM_PRIVATE_KEY) and sends it to WALLET_RPC_URL. It checks nothing: that is the point.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  http,
  parseEther,
  parseUnits,
  type Abi,
  type Address,
  type Hex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'

const rpcUrl = process.env.WALLET_RPC_URL!
const probe = createPublicClient({ transport: http(rpcUrl) })
const chain = defineChain({
  id: await probe.getChainId(),
  name: 'devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
})
const publicClient = createPublicClient({ chain, transport: http(rpcUrl), pollingInterval: 50 })
const wallet = createWalletClient({
  chain,
  transport: http(rpcUrl),
  account: privateKeyToAccount(process.env.EVM_PRIVATE_KEY as Hex),
})

const server = new McpServer({ name: 'test-evm-wallet', version: '0.0.0' })
const sent = async (hash: Hex) => {
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })
  return { content: [{ type: 'text' as const, text: JSON.stringify({ txHash: hash, status: receipt.status }) }] }
}
const writes = { readOnlyHint: false, destructiveHint: true }
const decimals = (token: Address) =>
  publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })

server.registerTool(
  'get_balance',
  { description: 'native balance', inputSchema: { address: z.string() }, annotations: { readOnlyHint: true } },
  async ({ address }) => ({
    content: [{ type: 'text', text: (await publicClient.getBalance({ address: address as Address })).toString() }],
  }),
)
server.registerTool(
  'transfer_native',
  {
    description: 'send ETH',
    inputSchema: { to: z.string(), amount: z.string(), network: z.string().optional() },
    annotations: writes,
  },
  async ({ to, amount }) => sent(await wallet.sendTransaction({ to: to as Address, value: parseEther(amount) })),
)
server.registerTool(
  'transfer_erc20',
  {
    description: 'send an ERC-20',
    inputSchema: { tokenAddress: z.string(), to: z.string(), amount: z.string(), network: z.string().optional() },
    annotations: writes,
  },
  async ({ tokenAddress, to, amount }) => {
    const token = tokenAddress as Address
    const value = parseUnits(amount, await decimals(token))
    return sent(
      await wallet.writeContract({
        address: token,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [to as Address, value],
      }),
    )
  },
)
server.registerTool(
  'approve_token_spending',
  {
    description: 'approve a spender',
    inputSchema: {
      tokenAddress: z.string(),
      spenderAddress: z.string(),
      amount: z.string(),
      network: z.string().optional(),
    },
    annotations: writes,
  },
  async ({ tokenAddress, spenderAddress, amount }) => {
    const token = tokenAddress as Address
    const value = parseUnits(amount, await decimals(token))
    return sent(
      await wallet.writeContract({
        address: token,
        abi: erc20Abi,
        functionName: 'approve',
        args: [spenderAddress as Address, value],
      }),
    )
  },
)
server.registerTool(
  'write_contract',
  {
    description: 'call any contract',
    inputSchema: {
      contractAddress: z.string(),
      functionName: z.string(),
      args: z.array(z.string()).optional(),
      value: z.string().optional(),
      abiJson: z.string().optional(),
      network: z.string().optional(),
    },
    annotations: writes,
  },
  async ({ contractAddress, functionName, args, value, abiJson }) =>
    sent(
      await wallet.writeContract({
        address: contractAddress as Address,
        abi: JSON.parse(abiJson ?? '[]') as Abi,
        functionName,
        args: args ?? [],
        ...(value ? { value: parseEther(value) } : {}),
      }),
    ),
)

await server.connect(new StdioServerTransport())
