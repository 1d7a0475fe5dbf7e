/**
 * The polling loop of an agent that follows jobs: one pass at a time (a `tick` while one runs
 * shares it), a pass every `pollMs`, and the per-job work the passes start, which `stop` waits for.
 */
export class JobLoop {
  private timer: NodeJS.Timeout | undefined
  private ticking: Promise<void> | undefined
  private readonly busy = new Map<bigint, Promise<void>>()

  constructor(private readonly pass: () => Promise<void>) {}

  /** One pass, or the one already running. */
  tick(): Promise<void> {
    this.ticking ??= this.pass().finally(() => (this.ticking = undefined))
    return this.ticking
  }

  /** A pass every `ms` from now on. */
  every(ms: number): void {
    this.timer = setInterval(() => void this.tick(), ms)
  }

  /** Whether work started for this job is still running. */
  has(jobId: bigint): boolean {
    return this.busy.has(jobId)
  }

  /** Keeps track of the work on a job until it settles. */
  run(jobId: bigint, work: Promise<void>): void {
    this.busy.set(
      jobId,
      work.finally(() => this.busy.delete(jobId)),
    )
  }

  /** No more passes; resolves once the running pass and every job's work have settled. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.ticking
    await Promise.allSettled([...this.busy.values()])
  }
}
