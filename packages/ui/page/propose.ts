import { html } from 'htm/preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { ProposalView, SentView, StateView } from '../src/view.ts'
import { ApiError, call, injectedWallet } from './api.ts'
import { ChangesByHolder, ModelWords, Reasons, VerdictBadge } from './report.ts'

const Problem = ({ error }: { error: ApiError | Error | null }) =>
  error
    ? html`<div class="problem" role="alert">
        <p>${error.message}</p>
        ${error instanceof ApiError && error.hint ? html`<p>${error.hint}</p>` : null}
      </div>`
    : null

function Sent({ sent }: { sent: SentView }) {
  return html`<section aria-labelledby="sent-h">
    <h3 id="sent-h" tabindex="-1">Sent</h3>
    <table>
      <caption>
        Receipts
      </caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Transaction</th>
          <th scope="col">Status</th>
          <th scope="col">Gas used</th>
          <th scope="col">Block</th>
        </tr>
      </thead>
      <tbody>
        ${sent.sent.map(
          (s, i) =>
            html`<tr>
              <td>${i + 1}</td>
              <td><code class="addr">${s.hash}</code></td>
              <td class=${s.status === 'success' ? 'in' : 'out'}>${s.status}</td>
              <td>${s.gasUsed}</td>
              <td>${s.blockNumber}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    <table class="effects">
      <caption>
        Your real balance changes, next to the simulated ones (gas not counted)
      </caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Asset</th>
          <th scope="col">Simulated</th>
          <th scope="col">Real</th>
          <th scope="col">Same?</th>
        </tr>
      </thead>
      <tbody>
        ${sent.effects.map(
          (e) =>
            html`<tr>
              <td>${e.step}</td>
              <td>${e.symbol}</td>
              <td>${e.simulated}</td>
              <td>${e.real}</td>
              <td class=${e.same ? 'in' : 'out'}>${e.same ? 'yes' : 'NO: differs'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`
}

/** Sign or hand to the wallet. A block has no button at all; a warn needs a second, explicit click. */
function SignArea({ p, state, onSent }: { p: ProposalView; state: StateView; onSent: (s: SentView) => void }) {
  const [armed, setArmed] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const wallet = injectedWallet()
  if (p.verdict === 'block')
    return html`<p class="blocked" role="alert">Blocked: Hermit will not sign or send this. Nothing was signed.</p>`
  const run = async (how: 'local' | 'wallet') => {
    setBusy(true)
    setError(null)
    try {
      if (how === 'local') onSent(await call<SentView>('/api/sign', { id: p.id, confirmWarn: p.verdict === 'warn' }))
      else {
        const hashes: string[] = []
        for (const tx of p.txs)
          hashes.push((await wallet!.request({ method: 'eth_sendTransaction', params: [tx] })) as string)
        onSent(await call<SentView>('/api/submitted', { id: p.id, hashes }))
      }
    } catch (e) {
      setError(e as Error)
    } finally {
      setBusy(false)
    }
  }
  const isSigner = state.signer !== null && state.signer.toLowerCase() === p.user.toLowerCase()
  const buttons = html`
    ${
      isSigner
        ? html`<button type="button" disabled=${busy} onClick=${() => run('local')}>
          ${p.verdict === 'warn' ? 'Yes, sign despite the warnings' : 'Sign and send'} with ${state.signer}
        </button>`
        : null
    }
    ${
      wallet
        ? html`<button type="button" disabled=${busy} onClick=${() => run('wallet')}>
          ${p.verdict === 'warn' ? 'Yes, send despite the warnings' : 'Send'} with my browser wallet
        </button>`
        : null
    }
    ${!isSigner && !wallet ? html`<p>No key here and no browser wallet: this proposal can only be read.</p>` : null}
  `
  return html`<div class="sign">
    ${
      p.verdict === 'warn' && !armed
        ? html`<p>Hermit warns about this. Read the reasons above first.</p>
          <button type="button" class="warn-first" onClick=${() => setArmed(true)}>I have read the warnings…</button>`
        : buttons
    }
    ${busy ? html`<p aria-live="polite">Signing and waiting for the receipt…</p>` : null}
    <${Problem} error=${error} />
  </div>`
}

const READERS: Record<string, string> = {
  parser: 'the deterministic parser',
  model: 'the model',
  both: 'the model and the parser',
}

function ProposalResult({ p, state }: { p: ProposalView; state: StateView }) {
  const [sent, setSent] = useState<SentView | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [p.id])
  const rows = p.steps.flatMap((s, i) => s.report.changes.map((c) => ({ ...c, step: i + 1 })))
  return html`<section class="result" aria-labelledby="result-h">
    <h2 id="result-h" tabindex="-1" ref=${heading}>Verdict: <${VerdictBadge} verdict=${p.verdict} /></h2>
    <${Reasons} reasons=${p.reasons} />
    <h3>Your words, as read</h3>
    <p class="as-read">${p.asRead}</p>
    <p>Read by: <strong>${READERS[p.reader] ?? p.reader}</strong></p>
    <p class=${p.model.consulted ? 'model model-note' : 'note'}>
      ${p.model.consulted ? html`<span class="model-label">Model: </span>` : null}${p.model.note}
    </p>
    ${p.notes.length ? html`<ul class="notes">${p.notes.map((n) => html`<li>${n}</li>`)}</ul>` : null}
    <h3>Plan (every call built by Hermit)</h3>
    <ol class="plan">
      ${p.steps.map(
        (s) =>
          html`<li>
            <p><strong>${s.meaning}</strong></p>
            <p>Calls <code class="addr">${s.to}</code> with ${s.value}, gas limit ${s.gas}</p>
            ${s.report.decoded ? html`<p>Decoded: <code>${s.report.decoded}</code></p>` : null}
            <ul>
              ${s.report.summary.map((l) => html`<li>${l}</li>`)}
            </ul>
            <${ModelWords} model=${s.report.model} />
          </li>`,
      )}
    </ol>
    <h3>Simulated asset changes</h3>
    <${ChangesByHolder} rows=${rows} />
    ${sent ? html`<${Sent} sent=${sent} />` : html`<${SignArea} p=${p} state=${state} onSent=${setSent} />`}
  </section>`
}

export function ProposePage({ state }: { state: StateView }) {
  const [words, setWords] = useState('')
  const [viaWallet, setViaWallet] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<Error | null>(null)
  const [proposal, setProposal] = useState<ProposalView | null>(null)
  const wallet = injectedWallet()
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    setProposal(null)
    try {
      const from =
        viaWallet && wallet ? ((await wallet.request({ method: 'eth_requestAccounts' })) as string[])[0] : undefined
      setProposal(await call<ProposalView>('/api/propose', { words, ...(from ? { from } : {}) }))
    } catch (err) {
      setError(err as Error)
    } finally {
      setBusy(false)
    }
  }
  return html`<section aria-labelledby="propose-h">
    <h2 id="propose-h">Propose</h2>
    <form onSubmit=${submit}>
      <label for="words">What do you want to do?</label>
      <textarea
        id="words"
        name="words"
        rows="2"
        placeholder="send 0.1 ETH to bob · swap 100 USDC for ETH · wrap 1 ETH"
        value=${words}
        onInput=${(e: Event) => setWords((e.target as HTMLTextAreaElement).value)}
        onKeyDown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault()
            ;(e.currentTarget as HTMLTextAreaElement).form?.requestSubmit()
          }
        }}
        required
      ></textarea>
      ${
        wallet
          ? html`<label class="inline"
            ><input type="checkbox" checked=${viaWallet} onChange=${() => setViaWallet(!viaWallet)} /> For my browser wallet's
            account</label
          >`
          : null
      }
      <button type="submit" disabled=${busy || words.trim() === ''}>Check</button>
      <p class="hint">
        ${
          state.signer
            ? html`Signs with the local account <code class="addr">${state.signer}</code>.`
            : 'No local key: read-only, or send with a browser wallet.'
        }
        ${' '}Nothing is signed until you press a sign button.
      </p>
    </form>
    ${busy ? html`<p aria-live="polite">Reading the words, planning, simulating on a fork…</p>` : null}
    <${Problem} error=${error} />
    ${proposal ? html`<${ProposalResult} key=${proposal.id} p=${proposal} state=${state} />` : null}
  </section>`
}
