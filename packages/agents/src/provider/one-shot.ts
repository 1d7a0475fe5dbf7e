import type { IncomingMessage, ServerResponse } from 'node:http'
import type { OneShotGate, Skill } from './types.ts'

/**
 * POST /call/<skill>: the gate takes the zk-rln payment (or answers 402), then the skill runs with
 * the request body as its input, in a one-shot context: there is no job behind it.
 */
export function serveOneShot(
  call: { gate: OneShotGate; skillName: string; skill: Skill; timeoutMs: number },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  return call.gate.handle(req, res, async (_request, payment) => {
    const out = await call.skill.handler({
      kind: 'one-shot',
      request: { v: 1, skill: call.skillName, input: payment.body.toString('utf8').slice(0, 16 * 1024) },
      nullifier: payment.nullifier,
      signal: AbortSignal.timeout(call.timeoutMs),
    })
    return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: out }
  })
}
