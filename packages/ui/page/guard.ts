import { html } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import type { GuardEntryView } from '../src/view.ts'
import { call, eventsUrl } from './api.ts'
import { FullReport, VerdictBadge } from './report.ts'

const time = (ms: number) => new Date(ms).toLocaleTimeString()

function Held({ e, now }: { e: GuardEntryView; now: number }) {
  const [error, setError] = useState<string | null>(null)
  const answer = (a: 'allow' | 'refuse') =>
    call('/api/guard/decide', { id: e.id, answer: a }).catch((err: Error) => setError(err.message))
  const left = e.deadline ? Math.max(0, Math.ceil((e.deadline - now) / 1000)) : 0
  return html`<div class="held" role="group" aria-label=${`Held request ${e.id}`}>
    <p>The wallet is waiting. Refused by itself in ${left} s.</p>
    <button type="button" class="allow" aria-label=${`Allow request ${e.id}`} onClick=${() => answer('allow')}>Allow</button>
    <button type="button" class="refuse" aria-label=${`Refuse request ${e.id}`} onClick=${() => answer('refuse')}>Refuse</button>
    ${error ? html`<p role="alert">${error}</p>` : null}
  </div>`
}

/** Every request the guard checked, live (server-sent events); warned ones wait here for an answer. */
export function GuardPage() {
  const [entries, setEntries] = useState<Map<string, GuardEntryView>>(new Map())
  const [open, setOpen] = useState<string | null>(null)
  const [now, setNow] = useState(Date.now())
  useEffect(() => {
    const source = new EventSource(eventsUrl('/api/guard/events'))
    source.onmessage = (m) => {
      const e = JSON.parse(m.data as string) as GuardEntryView
      setEntries((old) => new Map(old).set(e.id, e))
    }
    const tick = setInterval(() => setNow(Date.now()), 1000)
    return () => {
      source.close()
      clearInterval(tick)
    }
  }, [])
  const list = [...entries.values()].sort((a, b) => Number(b.id) - Number(a.id))
  const held = list.filter((e) => e.status === 'held').length
  return html`<section aria-labelledby="guard-h">
    <h2 id="guard-h">Guard</h2>
    <p aria-live="polite">${list.length} checked request(s)${held ? `, ${held} waiting for you` : ''}.</p>
    ${
      list.length === 0
        ? html`<p>Point your wallet's RPC at <code>hermit guard</code>; what it checks shows here.</p>`
        : html`<table class="guard">
          <caption>
            Checked requests, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Time</th>
              <th scope="col">Origin</th>
              <th scope="col">Method</th>
              <th scope="col">Verdict</th>
              <th scope="col">Status</th>
              <th scope="col">Report</th>
            </tr>
          </thead>
          <tbody>
            ${list.map(
              (e) =>
                html`<tr class=${`status-${e.status.replace(' ', '-')}`}>
                    <td>${e.id}</td>
                    <td>${time(e.at)}</td>
                    <td>${e.origin ?? '(none sent)'}</td>
                    <td><code>${e.method}</code></td>
                    <td><${VerdictBadge} verdict=${e.verdict} /></td>
                    <td class="status">${e.status}</td>
                    <td>
                      <button
                        type="button"
                        aria-expanded=${open === e.id}
                        aria-controls=${`report-${e.id}`}
                        aria-label=${`Report of request ${e.id}`}
                        onClick=${() => setOpen(open === e.id ? null : e.id)}
                      >
                        ${open === e.id ? 'Hide' : 'Show'}
                      </button>
                    </td>
                  </tr>
                  ${
                    e.status === 'held'
                      ? html`<tr>
                        <td colspan="7"><${Held} e=${e} now=${now} /></td>
                      </tr>`
                      : null
                  }
                  ${
                    open === e.id
                      ? html`<tr id=${`report-${e.id}`}>
                        <td colspan="7"><${FullReport} report=${e.report} /></td>
                      </tr>`
                      : null
                  }`,
            )}
          </tbody>
        </table>`
    }
  </section>`
}
