/**
 * ABIs Hermit knows offline, by family. Signatures only (the interfaces are public standards);
 * calldata is decoded against each in turn and nested calls are decoded again.
 */
import { erc20Abi, erc721Abi, parseAbi, parseAbiParameters, type Abi } from 'viem'
import { devTokenAbi, identityRegistryAbi, reputationRegistryAbi, validationRegistryAbi } from '@hermit/contracts'

export const erc1155Abi = parseAbi([
  'function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data)',
  'function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] values, bytes data)',
  'function setApprovalForAll(address operator, bool approved)',
  'function balanceOf(address account, uint256 id) view returns (uint256)',
  'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
  'event TransferBatch(address indexed operator, address indexed from, address indexed to, uint256[] ids, uint256[] values)',
  'event ApprovalForAll(address indexed account, address indexed operator, bool approved)',
])

export const erc721SafeAbi = parseAbi([
  'function safeTransferFrom(address from, address to, uint256 tokenId)',
  'function safeTransferFrom(address from, address to, uint256 tokenId, bytes data)',
])

export const wethAbi = parseAbi(['function deposit() payable', 'function withdraw(uint256 wad)'])

export const permitAbi = parseAbi([
  'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  'function increaseAllowance(address spender, uint256 addedValue) returns (bool)',
])

export const permit2Abi = parseAbi([
  'struct PermitDetails { address token; uint160 amount; uint48 expiration; uint48 nonce; }',
  'struct PermitSingle { PermitDetails details; address spender; uint256 sigDeadline; }',
  'struct PermitBatch { PermitDetails[] details; address spender; uint256 sigDeadline; }',
  'function approve(address token, address spender, uint160 amount, uint48 expiration)',
  'function permit(address owner, PermitSingle permitSingle, bytes signature)',
  'function permit(address owner, PermitBatch permitBatch, bytes signature)',
  'function transferFrom(address from, address to, uint160 amount, address token)',
  'event Approval(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration)',
  'event Permit(address indexed owner, address indexed token, address indexed spender, uint160 amount, uint48 expiration, uint48 nonce)',
])

// Signatures too long for one line are written out as JSON ABI items (same values and types as parseAbi gives),
// each below its signature.
export const uniswapV2RouterAbi = [
  ...parseAbi([
    'function swapExactTokensForTokens(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
    'function swapTokensForExactTokens(uint256 amountOut, uint256 amountInMax, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
    'function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)',
    'function swapExactTokensForETH(uint256 amountIn, uint256 amountOutMin, address[] path, address to, uint256 deadline) returns (uint256[] amounts)',
  ]),
  // function addLiquidity(address tokenA, address tokenB, uint256 amountADesired, uint256 amountBDesired,
  //   uint256 amountAMin, uint256 amountBMin, address to, uint256 deadline) returns (uint256, uint256, uint256)
  {
    name: 'addLiquidity',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      { type: 'address', name: 'tokenA' },
      { type: 'address', name: 'tokenB' },
      { type: 'uint256', name: 'amountADesired' },
      { type: 'uint256', name: 'amountBDesired' },
      { type: 'uint256', name: 'amountAMin' },
      { type: 'uint256', name: 'amountBMin' },
      { type: 'address', name: 'to' },
      { type: 'uint256', name: 'deadline' },
    ],
    outputs: parseAbiParameters('uint256, uint256, uint256'),
  },
  // function removeLiquidity(address tokenA, address tokenB, uint256 liquidity, uint256 amountAMin,
  //   uint256 amountBMin, address to, uint256 deadline) returns (uint256, uint256)
  {
    name: 'removeLiquidity',
    type: 'function',
    stateMutability: 'nonpayable',
    inputs: [
      { type: 'address', name: 'tokenA' },
      { type: 'address', name: 'tokenB' },
      { type: 'uint256', name: 'liquidity' },
      { type: 'uint256', name: 'amountAMin' },
      { type: 'uint256', name: 'amountBMin' },
      { type: 'address', name: 'to' },
      { type: 'uint256', name: 'deadline' },
    ],
    outputs: parseAbiParameters('uint256, uint256'),
  },
] as const

export const uniswapV3RouterAbi = [
  // struct ExactInputSingleParams { address tokenIn; address tokenOut; uint24 fee; address recipient;
  //   uint256 deadline; uint256 amountIn; uint256 amountOutMinimum; uint160 sqrtPriceLimitX96; }
  // function exactInputSingle(ExactInputSingleParams params) payable returns (uint256 amountOut)
  {
    name: 'exactInputSingle',
    type: 'function',
    stateMutability: 'payable',
    inputs: [
      {
        type: 'tuple',
        name: 'params',
        components: [
          { type: 'address', name: 'tokenIn' },
          { type: 'address', name: 'tokenOut' },
          { type: 'uint24', name: 'fee' },
          { type: 'address', name: 'recipient' },
          { type: 'uint256', name: 'deadline' },
          { type: 'uint256', name: 'amountIn' },
          { type: 'uint256', name: 'amountOutMinimum' },
          { type: 'uint160', name: 'sqrtPriceLimitX96' },
        ],
      },
    ],
    outputs: [{ type: 'uint256', name: 'amountOut' }],
  },
  ...parseAbi([
    'struct ExactInputParams { bytes path; address recipient; uint256 deadline; uint256 amountIn; uint256 amountOutMinimum; }',
    'function exactInput(ExactInputParams params) payable returns (uint256 amountOut)',
    'function multicall(bytes[] data) payable returns (bytes[] results)',
    'function multicall(uint256 deadline, bytes[] data) payable returns (bytes[] results)',
    'function sweepToken(address token, uint256 amountMinimum, address recipient) payable',
    'function unwrapWETH9(uint256 amountMinimum, address recipient) payable',
  ]),
] as const

export const universalRouterAbi = parseAbi([
  'function execute(bytes commands, bytes[] inputs, uint256 deadline) payable',
  'function execute(bytes commands, bytes[] inputs) payable',
])

export const multicall3Abi = parseAbi([
  'struct Call { address target; bytes callData; }',
  'struct Call3 { address target; bool allowFailure; bytes callData; }',
  'struct Call3Value { address target; bool allowFailure; uint256 value; bytes callData; }',
  'struct Result { bool success; bytes returnData; }',
  'function aggregate(Call[] calls) payable returns (uint256 blockNumber, bytes[] returnData)',
  'function aggregate3(Call3[] calls) payable returns (Result[] returnData)',
  'function aggregate3Value(Call3Value[] calls) payable returns (Result[] returnData)',
  'function tryAggregate(bool requireSuccess, Call[] calls) payable returns (Result[] returnData)',
])

export const safeAbi = [
  // function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas,
  //   uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success)
  {
    name: 'execTransaction',
    type: 'function',
    stateMutability: 'payable',
    inputs: [
      { type: 'address', name: 'to' },
      { type: 'uint256', name: 'value' },
      { type: 'bytes', name: 'data' },
      { type: 'uint8', name: 'operation' },
      { type: 'uint256', name: 'safeTxGas' },
      { type: 'uint256', name: 'baseGas' },
      { type: 'uint256', name: 'gasPrice' },
      { type: 'address', name: 'gasToken' },
      { type: 'address', name: 'refundReceiver' },
      { type: 'bytes', name: 'signatures' },
    ],
    outputs: [{ type: 'bool', name: 'success' }],
  },
  ...parseAbi([
    'function addOwnerWithThreshold(address owner, uint256 _threshold)',
    'function removeOwner(address prevOwner, address owner, uint256 _threshold)',
    'function swapOwner(address prevOwner, address oldOwner, address newOwner)',
    'function changeThreshold(uint256 _threshold)',
    'function enableModule(address module)',
    'function setGuard(address guard)',
  ]),
] as const

export const adminAbi = parseAbi([
  'function transferOwnership(address newOwner)',
  'function renounceOwnership()',
  'function upgradeTo(address newImplementation)',
  'function upgradeToAndCall(address newImplementation, bytes data) payable',
  'function changeAdmin(address newAdmin)',
  'function grantRole(bytes32 role, address account)',
  'event OwnershipTransferred(address indexed previousOwner, address indexed newOwner)',
  'event Upgraded(address indexed implementation)',
  'event AdminChanged(address previousAdmin, address newAdmin)',
  'event BeaconUpgraded(address indexed beacon)',
])

export const nftMarketAbi = parseAbi([
  'function buy(address collection, uint256 tokenId) payable',
  'function list(address collection, uint256 tokenId, uint256 price)',
])

/** Decoding order matters only for identical selectors (e.g. ERC-20 vs ERC-721 transferFrom). */
export const knownAbis: ReadonlyArray<{ family: string; abi: Abi }> = [
  { family: 'ERC20', abi: erc20Abi },
  { family: 'ERC20Permit', abi: permitAbi },
  { family: 'ERC721', abi: [...erc721Abi, ...erc721SafeAbi] },
  { family: 'ERC1155', abi: erc1155Abi },
  { family: 'WETH', abi: wethAbi },
  { family: 'Permit2', abi: permit2Abi },
  { family: 'UniswapV2Router', abi: uniswapV2RouterAbi },
  { family: 'UniswapV3Router', abi: uniswapV3RouterAbi },
  { family: 'UniversalRouter', abi: universalRouterAbi },
  { family: 'Multicall3', abi: multicall3Abi },
  { family: 'Safe', abi: safeAbi },
  { family: 'Admin', abi: adminAbi },
  { family: 'NftMarket', abi: nftMarketAbi },
  { family: 'HermitDevToken', abi: devTokenAbi },
  { family: 'ERC8004Identity', abi: identityRegistryAbi },
  { family: 'ERC8004Reputation', abi: reputationRegistryAbi },
  { family: 'ERC8004Validation', abi: validationRegistryAbi },
]

/** Universal Router command bytes (low 5 bits) → name, for `execute(commands, inputs)`. */
export const UNIVERSAL_ROUTER_COMMANDS: Readonly<Record<number, string>> = {
  0x00: 'V3_SWAP_EXACT_IN',
  0x01: 'V3_SWAP_EXACT_OUT',
  0x02: 'PERMIT2_TRANSFER_FROM',
  0x03: 'PERMIT2_PERMIT_BATCH',
  0x04: 'SWEEP',
  0x05: 'TRANSFER',
  0x06: 'PAY_PORTION',
  0x08: 'V2_SWAP_EXACT_IN',
  0x09: 'V2_SWAP_EXACT_OUT',
  0x0a: 'PERMIT2_PERMIT',
  0x0b: 'WRAP_ETH',
  0x0c: 'UNWRAP_WETH',
  0x0d: 'PERMIT2_TRANSFER_FROM_BATCH',
  0x0e: 'BALANCE_CHECK_ERC20',
  0x10: 'V4_SWAP',
}
