import type { IncomingMessage } from 'node:http'

/**
 * A request body of at most `max` bytes, or null when it is longer: the rest is drained unread, so
 * the refusal can still be sent. A chunked body has no content-length to trust, so the count runs.
 */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > max) over = true
      if (!over) chunks.push(chunk)
    })
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}
