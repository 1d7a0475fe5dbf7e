import { html } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import type { PaidBought, PaidView } from '../src/view.ts'
import { call } from './api.ts'

/** The zkpay client's state: tickets, ready proofs, the anonymity set, the last calls by nullifier only. */
export function PaidPage() {
  const [state, setState] = useState<PaidView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tickets, setTickets] = useState('10')
  const [bought, setBought] = useState<PaidBought | null>(null)
  const load = () =>
    call<PaidView>('/api/paid')
      .then(setState)
      .catch((e: Error) => setError(e.message))
  useEffect(() => void load(), [])
  const buy = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      setBought(await call<PaidBought>('/api/paid/buy', { tickets: Number(tickets) }))
      await load()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return html`<section aria-labelledby="paid-h">
    <h2 id="paid-h">Paid calls</h2>
    ${error ? html`<p role="alert" class="problem">${error}</p>` : null}
    ${
      state
        ? html`<dl class="facts">
            <dt>Pool</dt>
            <dd><code class="addr">${state.pool}</code> (chain ${state.chainId})</dd>
            <dt>Tickets left</dt>
            <dd>${state.tickets.left} of ${state.tickets.total} (${state.tickets.used} used)</dd>
            <dt>Proofs ready</dt>
            <dd>${state.proofsReady}</dd>
            <dt>Anonymity set</dt>
            <dd>${state.anonymitySet} live deposit(s) in the pool${state.anonymitySet < 5 ? ': calls are easy to link' : ''}</dd>
          </dl>
          <h3>Last calls (nullifiers only)</h3>
          ${
            state.lastCalls.length === 0
              ? html`<p>No paid calls yet.</p>`
              : html`<ul class="calls">
                ${state.lastCalls.map(
                  (c) =>
                    html`<li>
                      <code class="addr">${c.nullifier}</code> · HTTP ${c.status} · ${new Date(c.at).toLocaleTimeString()}
                    </li>`,
                )}
              </ul>`
          }
          <button type="button" onClick=${load}>Refresh</button>
          ${
            state.canBuy
              ? html`<form onSubmit=${buy}>
                <label for="tickets">Tickets to buy</label>
                <input
                  id="tickets"
                  type="number"
                  min="1"
                  max="1000"
                  value=${tickets}
                  onInput=${(e: Event) => setTickets((e.target as HTMLInputElement).value)}
                />
                <button type="submit">Buy tickets</button>
                ${
                  bought
                    ? html`<p aria-live="polite" class="bought">
                      Deposited: leaf #${bought.leafIndex}, ${bought.tickets} tickets.
                    </p>`
                    : null
                }
              </form>`
              : null
          }`
        : html`<p>Loading…</p>`
    }
  </section>`
}
