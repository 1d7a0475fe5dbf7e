import { html } from 'htm/preact'
import type { ChangeView, FindingView, ModelView, ReportView, Verdict } from '../src/view.ts'

export const VerdictBadge = ({ verdict }: { verdict: Verdict }) =>
  html`<span class=${`verdict verdict-${verdict}`}>${verdict.toUpperCase()}</span>`

export const Reasons = ({ reasons }: { reasons: FindingView[] }) =>
  reasons.length === 0
    ? html`<p>No warnings.</p>`
    : html`<ul class="reasons">
        ${reasons.map(
          (r) =>
            html`<li class=${`reason reason-${r.severity}`}>
              <strong>${r.severity}</strong>${r.step ? ` · step ${r.step}` : ''}: ${r.message} <code>${r.id}</code>
            </li>`,
        )}
      </ul>`

/** The asset changes as one table per holder: who gains and loses what. */
export function ChangesByHolder({ rows }: { rows: Array<ChangeView & { step?: number }> }) {
  if (rows.length === 0) return html`<p>No balance changes in the simulation.</p>`
  const holders = new Map<string, Array<ChangeView & { step?: number }>>()
  for (const r of rows) holders.set(r.holder, [...(holders.get(r.holder) ?? []), r])
  return html`${[...holders].map(
    ([holder, list]) =>
      html`<table class="changes">
        <caption>
          ${list[0]!.holderName}${list[0]!.holderName === holder ? '' : html` <code class="addr">${holder}</code>`}
        </caption>
        <thead>
          <tr>
            ${list[0]!.step === undefined ? null : html`<th scope="col">Step</th>`}
            <th scope="col">Asset</th>
            <th scope="col">Change</th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (r) =>
              html`<tr>
                ${r.step === undefined ? null : html`<td>${r.step}</td>`}
                <td>${r.symbol}</td>
                <td class=${r.formatted.startsWith('-') ? 'out' : 'in'}>${r.formatted}</td>
              </tr>`,
          )}
        </tbody>
      </table>`,
  )}`
}

/** The model's words, marked as such: an opinion that may raise the verdict, never a check. */
export const ModelWords = ({ model }: { model: ModelView }) =>
  model.consulted
    ? html`<aside class="model" aria-label="The model's words">
        <p class="model-label">Model ${model.model} says (its words, not a check):</p>
        <p>${model.summary}</p>
        ${model.concerns.length ? html`<ul>${model.concerns.map((c) => html`<li>${c}</li>`)}</ul>` : null}
        <p>Its verdict: ${model.verdict}${model.raised ? ' (it raised the verdict)' : ''}</p>
      </aside>`
    : null

export const FullReport = ({ report }: { report: ReportView }) => html`
  <div class="report">
    <p>Verdict: <${VerdictBadge} verdict=${report.verdict} /></p>
    ${report.intent ? html`<p>Intent as read (${report.intent.reader}): ${report.intent.asRead}</p>` : null}
    ${report.decoded ? html`<p>Decoded: <code>${report.decoded}</code></p>` : null}
    <ul>
      ${report.summary.map((s) => html`<li>${s}</li>`)}
    </ul>
    <h4>Why</h4>
    <${Reasons} reasons=${report.reasons} />
    <h4>Simulated asset changes</h4>
    <${ChangesByHolder} rows=${report.changes} />
    <${ModelWords} model=${report.model} />
    <details>
      <summary>Request</summary>
      <pre>${JSON.stringify(report.request, null, 2)}</pre>
    </details>
  </div>
`
