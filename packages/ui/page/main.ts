import { html, render } from 'htm/preact'
import { useEffect, useState } from 'preact/hooks'
import type { StateView } from '../src/view.ts'
import { call } from './api.ts'
import { GuardPage } from './guard.ts'
import { PaidPage } from './paid.ts'
import { ProposePage } from './propose.ts'

type Tab = 'propose' | 'guard' | 'paid'
const TITLES: Record<Tab, string> = { propose: 'Propose', guard: 'Guard', paid: 'Paid calls' }

function App() {
  const [state, setState] = useState<StateView | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [tab, setTab] = useState<Tab>((location.hash.slice(1) as Tab) || 'propose')
  useEffect(() => {
    call<StateView>('/api/state')
      .then((s) => {
        setState(s)
        const tabs = (['propose', 'guard', 'paid'] as const).filter((t) => s[t])
        setTab((t) => (tabs.includes(t) ? t : (tabs[0] ?? 'propose')))
      })
      .catch((e: Error) => setError(e.message))
  }, [])
  if (error) return html`<main><h1>Hermit</h1><p role="alert" class="problem">${error}</p></main>`
  if (!state) return html`<main><h1>Hermit</h1><p>Loading…</p></main>`
  const tabs = (['propose', 'guard', 'paid'] as const).filter((t) => state[t])
  const go = (t: Tab) => {
    setTab(t)
    history.replaceState(null, '', `${location.search}#${t}`)
  }
  return html`<header>
      <h1>Hermit <span class="sub">local · nothing leaves this machine but your own RPC calls</span></h1>
      <nav aria-label="Pages">
        ${tabs.map(
          (t) =>
            html`<button type="button" class="tab" aria-current=${tab === t ? 'page' : undefined} onClick=${() => go(t)}>
              ${TITLES[t]}
            </button>`,
        )}
      </nav>
      ${state.chainId === null ? null : html`<p class="chain">chain ${state.chainId}</p>`}
    </header>
    <main>
      ${tab === 'propose' && state.propose ? html`<${ProposePage} state=${state} />` : null}
      ${tab === 'guard' && state.guard ? html`<${GuardPage} />` : null}
      ${tab === 'paid' && state.paid ? html`<${PaidPage} />` : null}
    </main>`
}

const root = document.getElementById('app')!
// the server's "Loading…" placeholder goes: App renders a header and a main side by side
root.textContent = ''
render(html`<${App} />`, root)
