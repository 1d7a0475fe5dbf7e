import { formatUnits, type Address } from 'viem'

/** The demo's voice: short lines a person can follow. */
export type Log = {
  step(title: string): void
  line(text: string): void
}

export function consoleLog(): Log {
  return {
    step: (title) => console.log(`\n▸ ${title}`),
    line: (text) => console.log(`  ${text}`),
  }
}

export const short = (a: Address) => `${a.slice(0, 6)}…${a.slice(-4)}`
export const eth = (wei: bigint) => `${formatUnits(wei, 18)} ETH`
export const usd = (units: bigint) => `${formatUnits(units, 6)} dUSD`
