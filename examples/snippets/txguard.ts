import { verify, formatReport } from '@hermit/txguard'
import { providerFromSpec } from '@hermit/llm'
import { startDevnet } from '@hermit/devnet'
import { parseEther } from 'viem'

const devnet = await startDevnet() // verify simulates on a devnet or a fork, never on a real network
const [me, alice] = devnet.accounts
const request = {
  chainId: devnet.chain.id,
  from: me!.address,
  to: alice!.address,
  value: parseEther('0.2'),
  data: '0x',
}
const report = await verify(request, {
  client: devnet.publicClient,
  intent: 'send 0.2 ETH to alice',
  origin: 'https://app.example',
  policy: { addressBook: { alice: alice!.address } },
  provider: providerFromSpec('none'), // or 'ollama:llama3.2'; default: none (deterministic)
})
console.log(report.verdict) // 'allow' | 'warn' | 'block'; report.reasons[]: { id, severity, message, evidence }
console.log(formatReport(report)) // what `hermit verify` prints
await devnet.stop()
