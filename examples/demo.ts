/**
 * `pnpm demo`: starts an embedded Anvil devnet, deploys every Hermit contract, prints what is
 * deployed, runs every example flow (each from the freshly deployed state) and stops.
 */
import { anvilExitedError, startDevnet } from '@hermit/devnet'
import { consoleLog, short } from './lib/log.ts'
import { flows } from './flows.ts'

const log = consoleLog()
const only = process.argv.slice(2)
const selected = only.length > 0 ? flows.filter((f) => only.includes(f.name)) : flows
if (only.length > 0 && selected.length !== only.length) {
  console.error(
    `unknown flow: ${only.filter((n) => !flows.some((f) => f.name === n)).join(', ')}; known: ${flows.map((f) => f.name).join(', ') || '(none)'}`,
  )
  process.exit(64)
}

const t0 = performance.now()
const devnet = await startDevnet()
// anvil dying under the demo is said at once, with how it ended (its calls then fail with DEVNET_ANVIL_EXITED)
void devnet.exited.then(() => {
  const exit = devnet.exit
  if (exit && !exit.stopped)
    console.error(`${anvilExitedError(exit).shortMessage} Its stderr: ${exit.stderr || '(none)'}`)
})
try {
  log.step(`Devnet up in ${(performance.now() - t0).toFixed(0)} ms: chain ${devnet.chainId} at ${devnet.rpcUrl}`)
  for (const [name, c] of Object.entries(devnet.deployments.contracts)) {
    log.line(`${name.padEnd(20)} ${c.address}  (deploy gas ${c.gasUsed})`)
  }
  log.line(
    `dev accounts: ${devnet.accounts
      .slice(0, 3)
      .map((a) => short(a.address))
      .join(', ')} … (${devnet.accounts.length})`,
  )
  let clean = await devnet.snapshot()
  for (const flow of selected) {
    console.log(`\n━━ ${flow.title} (${flow.name}) ━━`)
    await flow.run(devnet, log)
    await devnet.revert(clean) // anvil drops a snapshot once reverted to: take a new one
    clean = await devnet.snapshot()
  }
  console.log(`\nDemo finished: ${selected.length} example flow(s) ran on the devnet. Stopping it.`)
} finally {
  await devnet.stop()
}
