import type { Devnet } from '@hermit/devnet'
import type { Log } from './lib/log.ts'
import { flow as registerAndReview } from './register-and-review/index.ts'
import { flow as checkDappTx } from './check-dapp-tx/index.ts'
import { flow as anonymousCalls } from './anonymous-llm-calls/index.ts'
import { flow as hireAnAgent } from './hire-an-agent/index.ts'
import { flow as proposeTx } from './propose-tx/index.ts'

/** One runnable example flow; `pnpm demo` runs them all on one embedded devnet. */
export type Flow = {
  name: string
  title: string
  run(devnet: Devnet, log: Log): Promise<void>
}

/** Every example flow, in the order the demo tells them. Later issues add theirs here. */
export const flows: Flow[] = [checkDappTx, proposeTx, registerAndReview, anonymousCalls, hireAnAgent]
