/**
 * Prometheus text exposition, by hand: a few counters and two histograms are all the gateway has,
 * and none of them carries an address, a nullifier or request content.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

type Labels = Record<string, string>
const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`)
    .join(',')

class Counter {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = key(labels)
    this.values.set(k, (this.values.get(k) ?? 0) + by)
  }
  get(labels: Labels = {}): number {
    return this.values.get(key(labels)) ?? 0
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [k, v] of this.values) lines.push(`${this.name}${k ? `{${k}}` : ''} ${v}`)
    return lines
  }
}

class Histogram {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  observe(seconds: number, labels: Labels = {}): void {
    const k = key(labels)
    const s = this.series.get(k) ?? { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 }
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]!++
    })
    s.sum += seconds
    s.count++
    this.series.set(k, s)
  }
  count(labels: Labels = {}): number {
    return this.series.get(key(labels))?.count ?? 0
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const [k, s] of this.series) {
      const sep = k ? `${k},` : ''
      BUCKETS.forEach((b, i) => lines.push(`${this.name}_bucket{${sep}le="${b}"} ${s.buckets[i]}`))
      lines.push(`${this.name}_bucket{${sep}le="+Inf"} ${s.count}`)
      lines.push(`${this.name}_sum${k ? `{${k}}` : ''} ${s.sum}`)
      lines.push(`${this.name}_count${k ? `{${k}}` : ''} ${s.count}`)
    }
    return lines
  }
}

export function createMetrics() {
  const m = {
    calls: new Counter('hermit_gateway_calls_total', 'Calls answered, by route and HTTP status.'),
    tickets: new Counter('hermit_gateway_tickets_total', 'Tickets spent on calls (replays spend none).'),
    refusals: new Counter('hermit_gateway_refusals_total', 'Calls refused, by reason (the error code).'),
    tokens: new Counter('hermit_gateway_tokens_total', 'Tokens the upstream reported, prompt and completion.'),
    cuts: new Counter('hermit_gateway_stream_cuts_total', 'Streams cut because they reached what was paid.'),
    verification: new Histogram(
      'hermit_gateway_payment_verification_seconds',
      'From the request read to the call admitted: every payment check, the pairing, the nullifier claim.',
    ),
    store: new Histogram('hermit_gateway_store_seconds', 'Nullifier store operations, by op.'),
    proofCheck: new Histogram(
      'hermit_gateway_proof_check_seconds',
      'Groth16 checks in the verifier threads, from asked to answered (part of the payment verification).',
    ),
    upstreamFirstByte: new Histogram(
      'hermit_gateway_upstream_first_byte_seconds',
      "From a paid call forwarded to the upstream's answer head: the model server's own time, not Hermit's.",
    ),
  }
  return {
    ...m,
    render: (): string =>
      `${Object.values(m)
        .flatMap((x) => x.render())
        .join('\n')}\n`,
  }
}
export type Metrics = ReturnType<typeof createMetrics>
