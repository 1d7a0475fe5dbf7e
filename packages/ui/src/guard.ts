import type { GuardCheck, Report } from '@hermit/txguard'
import { UiError } from './errors.ts'
import type { GuardEntryView, GuardStatus } from './view.ts'
import { reportView } from './views.ts'

export type GuardBoardOptions = {
  /** How long a warned request waits for the person before it is refused (default 120 s). */
  holdMs?: number
  /** The verdicts the proxy refuses by itself (as its `refuse` option); a warn among them is never held. */
  refuse?: Array<'warn' | 'block'>
  /** Kept entries (oldest dropped first). */
  keep?: number
}

type Held = { resolve: (a: 'allow' | 'refuse') => void; timer: NodeJS.Timeout }

/**
 * What `hermit guard --ui` shows: every request the proxy checked, live, and the warned ones held
 * until the person answers on the page. Wire `onCheck` and `decide` into `startGuardProxy`.
 */
export class GuardBoard {
  readonly holdMs: number
  private readonly refuse: Set<string>
  private readonly keep: number
  private readonly entries: GuardEntryView[] = []
  private readonly byReport = new WeakMap<Report, GuardEntryView>()
  private readonly held = new Map<string, Held>()
  private readonly listeners = new Set<(e: GuardEntryView) => void>()
  private seq = 0

  constructor(o: GuardBoardOptions = {}) {
    this.holdMs = o.holdMs ?? 120_000
    this.refuse = new Set(o.refuse ?? ['block'])
    this.keep = o.keep ?? 200
  }

  list(): GuardEntryView[] {
    return [...this.entries]
  }

  subscribe(listener: (e: GuardEntryView) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private publish(e: GuardEntryView) {
    for (const l of this.listeners) l(e)
  }

  /** For the proxy's `onCheck`: every checked request becomes an entry. */
  readonly onCheck = (method: string, report: Report, origin: string | null): void => {
    const status: GuardStatus = this.refuse.has(report.verdict)
      ? 'refused'
      : report.verdict === 'warn'
        ? 'held'
        : 'passed'
    const entry: GuardEntryView = {
      id: String(++this.seq),
      at: Date.now(),
      origin,
      method,
      verdict: report.verdict,
      status,
      report: reportView(report),
    }
    this.byReport.set(report, entry)
    this.entries.push(entry)
    if (this.entries.length > this.keep) this.entries.shift()
    this.publish(entry)
  }

  /** For the proxy's `decide`: holds the request until `answer` is called for it, or refuses it at the deadline. */
  readonly decide = (check: GuardCheck): Promise<'allow' | 'refuse'> => {
    const entry = this.byReport.get(check.report)
    if (!entry) return Promise.resolve('refuse')
    return new Promise((resolve) => {
      const finish = (a: 'allow' | 'refuse', status: GuardStatus) => {
        clearTimeout(this.held.get(entry.id)?.timer)
        this.held.delete(entry.id)
        entry.status = status
        delete entry.deadline
        this.publish(entry)
        resolve(a)
      }
      const timer = setTimeout(() => finish('refuse', 'timed out'), this.holdMs)
      entry.status = 'held'
      entry.deadline = Date.now() + this.holdMs
      this.held.set(entry.id, { resolve: (a) => finish(a, a === 'allow' ? 'allowed' : 'refused'), timer })
      this.publish(entry)
    })
  }

  /** The person's answer from the page. */
  answer(id: string, answer: 'allow' | 'refuse'): GuardEntryView {
    const held = this.held.get(id)
    const entry = this.entries.find((e) => e.id === id)
    if (!held || !entry)
      throw new UiError('UI_NOT_FOUND', `No held guard request ${id}.`, {
        hint: 'It was answered already, or timed out and was refused.',
      })
    held.resolve(answer)
    return entry
  }

  /** Refuses everything still held (when the page's server stops). */
  close(): void {
    for (const h of [...this.held.values()]) h.resolve('refuse')
  }
}
