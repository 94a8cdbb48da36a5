import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'

// Writes a backtest's report.json and a self-contained report.html (inline SVG charts, no scripts or fonts from
// anywhere: it opens offline and can be archived with the journal).

export interface ReportTrade {
  readonly strategyId: string
  readonly instrumentKey: string
  readonly side: string
  readonly qty: number
  readonly entryTime: string
  readonly exitTime: string
  readonly entryPrice: number
  readonly exitPrice: number
  readonly netPnl: number
  readonly fees: number
  readonly entryReason: string
  readonly exitReason: string
}

export interface ReportData {
  readonly title: string
  readonly run: Record<string, unknown>
  readonly metrics: Record<string, unknown> & { readonly monthlyReturnsPct: Readonly<Record<string, number>> }
  /** [IST date-time, equity INR] */
  readonly equity: readonly (readonly [string, number])[]
  readonly trades: readonly ReportTrade[]
  readonly conventions: readonly string[]
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const polyline = (values: readonly number[], w: number, h: number, invert = false): string => {
  if (values.length === 0) return ''
  const min = Math.min(...values)
  const max = Math.max(...values)
  const span = max - min || 1
  return values
    .map((v, i) => {
      const x = values.length === 1 ? 0 : (i / (values.length - 1)) * w
      const y = invert ? ((v - min) / span) * h : h - ((v - min) / span) * h
      return `${x.toFixed(1)},${y.toFixed(1)}`
    })
    .join(' ')
}

const chart = (title: string, values: readonly number[], colour: string, invert = false): string => {
  const w = 900
  const h = 220
  const min = values.length ? Math.min(...values) : 0
  const max = values.length ? Math.max(...values) : 0
  return `<figure><figcaption>${esc(title)} <small>(min ${min.toFixed(2)}, max ${max.toFixed(2)})</small></figcaption>
<svg viewBox="0 0 ${w} ${h}" width="100%" height="${h}" role="img" aria-label="${esc(title)}"><rect width="${w}" height="${h}" fill="#fafafa"/>
<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${polyline(values, w, h, invert)}"/></svg></figure>`
}

export const renderReportHtml = (r: ReportData): string => {
  const equity = r.equity.map(([, v]) => v)
  let peak = Number.NEGATIVE_INFINITY
  const drawdown = equity.map((v) => {
    peak = Math.max(peak, v)
    return peak - v
  })
  const metricRows = Object.entries(r.metrics)
    .filter(([k]) => k !== 'monthlyReturnsPct')
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
    .join('')
  const months = Object.entries(r.metrics.monthlyReturnsPct)
    .map(([m, v]) => `<tr><th>${esc(m)}</th><td class="${v < 0 ? 'neg' : 'pos'}">${v.toFixed(2)}%</td></tr>`)
    .join('')
  const trades = r.trades
    .map(
      (t) =>
        `<tr><td>${esc(t.entryTime)}</td><td>${esc(t.exitTime)}</td><td>${esc(t.instrumentKey)}</td><td>${esc(t.side)}</td><td>${t.qty}</td><td>${t.entryPrice.toFixed(2)}</td><td>${t.exitPrice.toFixed(2)}</td><td class="${t.netPnl < 0 ? 'neg' : 'pos'}">${t.netPnl.toFixed(2)}</td><td>${t.fees.toFixed(2)}</td><td>${esc(t.entryReason)}</td><td>${esc(t.exitReason)}</td></tr>`,
    )
    .join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
th{background:#f3f3f3}.neg{color:#b00020}.pos{color:#00695c}small{color:#666}section{margin-bottom:2em}</style></head>
<body><h1>${esc(r.title)}</h1>
<section><h2>Run</h2><table>${Object.entries(r.run)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('')}</table></section>
<section><h2>Performance</h2><table>${metricRows}</table><ul>${r.conventions.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></section>
<section><h2>Equity and drawdown (INR)</h2>${chart('Equity', equity, '#1565c0')}${chart('Drawdown from peak', drawdown, '#b00020', true)}</section>
<section><h2>Monthly returns</h2><table>${months}</table></section>
<section><h2>Trades (${r.trades.length})</h2><table><tr><th>entry</th><th>exit</th><th>instrument</th><th>side</th><th>qty</th><th>entry price</th><th>exit price</th><th>net PnL</th><th>fees</th><th>entry reason</th><th>exit reason</th></tr>
${trades}</table></section></body></html>
`
}

/** Writes report.json and report.html into `dir`; returns their paths. */
export const writeReport = (dir: string, r: ReportData): E.Either<string, { json: string; html: string }> => {
  try {
    mkdirSync(dir, { recursive: true })
    const json = join(dir, 'report.json')
    const html = join(dir, 'report.html')
    writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`)
    writeFileSync(html, renderReportHtml(r))
    return E.right({ json, html })
  } catch (e) {
    return E.left(`cannot write the report in ${dir}: ${(e as Error).message}`)
  }
}
