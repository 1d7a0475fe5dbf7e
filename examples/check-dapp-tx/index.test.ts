import { describe, expect, it } from 'vitest'
import { useDevnet } from '@hermit/devnet/testing'
import { checkDappTx } from './index.ts'

const net = useDevnet()

describe('examples/check-dapp-tx', () => {
  it('allows the benign swap and blocks the disguised approval, saying no model was consulted', async () => {
    const lines: string[] = []
    const [swap, drainer] = await checkDappTx(net(), { step: (t) => lines.push(t), line: (t) => lines.push(t) }, 'none')
    expect(swap!.verdict).toBe('allow')
    expect(drainer!.verdict).toBe('block')
    expect(lines.filter((l) => l.includes('no model consulted'))).toHaveLength(2)
  })
})
