import { equityChart } from './equityChart.js'
import { escapeHtml as esc } from './escapeHtml.js'
import { formatInr } from './formatInr.js'
import { monthlyHeatmap } from './monthlyHeatmap.js'
import type { ReportData, ReportTrade } from './reportData.js'

// The self-contained report.html: inline CSS and SVG, no script, font or request to anywhere, so it opens offline
// and can be archived with the journal. Every string from the run (ids, reasons, params) is escaped. A long run's
// trades are all in report.json; the page lists the first and last TRADES_SHOWN / 2, so 5,000 trades do not make a
// megabyte of HTML, and sums them up per strategy and instrument instead.

/** At most this many trades are listed on the page. */
export const TRADES_SHOWN = 200

const TRADE_HEAD =
  '<tr><th>#</th><th>entry (IST)</th><th>exit (IST)</th><th>strategy</th><th>instrument</th><th>side</th><th>qty</th><th>entry price</th><th>exit price</th><th>net PnL</th><th>fees</th><th>entry reason</th><th>exit reason</th></tr>'

const signClass = (v: number) => (v < 0 ? 'neg' : 'pos')

/** An instrument's cell: its trading symbol, with the key on hover, where the run named one; else the key. */
const instrumentCell = (t: { readonly instrumentKey: string; readonly symbol?: string }) =>
  t.symbol === undefined
    ? `<td>${esc(t.instrumentKey)}</td>`
    : `<td title="${esc(t.instrumentKey)}">${esc(t.symbol)}</td>`

const tradeRow = (t: ReportTrade, n: number) =>
  `<tr><td>${n}</td><td>${esc(t.entryTime)}</td><td>${esc(t.exitTime)}</td><td>${esc(t.strategyId)}</td>${instrumentCell(t)}<td>${esc(t.side)}</td><td>${t.qty}</td><td>${t.entryPrice.toFixed(2)}</td><td>${t.exitPrice.toFixed(2)}</td><td class="${signClass(t.netPnl)}">${esc(formatInr(t.netPnl, 2))}</td><td>${esc(formatInr(t.fees, 2))}</td><td>${esc(t.entryReason)}</td><td>${esc(t.exitReason)}</td></tr>`

const tradesSection = (trades: readonly ReportTrade[]): string => {
  const count = trades.length.toLocaleString('en-IN')
  if (trades.length <= TRADES_SHOWN) {
    return `<h2>Trades (${count})</h2><table class="trades">${TRADE_HEAD}${trades.map((t, i) => tradeRow(t, i + 1)).join('\n')}</table>`
  }
  const half = TRADES_SHOWN / 2
  const first = trades.slice(0, half).map((t, i) => tradeRow(t, i + 1))
  const last = trades.slice(-half).map((t, i) => tradeRow(t, trades.length - half + i + 1))
  const skipped = (trades.length - TRADES_SHOWN).toLocaleString('en-IN')
  return `<h2>Trades (${count})</h2><p class="note">Showing the first ${half} and the last ${half} of ${count} trades; all of them, with their reasons, are in report.json.</p>
<table class="trades">${TRADE_HEAD}${first.join('\n')}
<tr class="gap"><td colspan="13">… ${skipped} trades not shown …</td></tr>
${last.join('\n')}</table>`
}

interface Breakdown {
  strategyId: string
  instrumentKey: string
  symbol?: string
  trades: number
  wins: number
  netPnl: number
  fees: number
}

const breakdownSection = (trades: readonly ReportTrade[]): string => {
  const by = new Map<string, Breakdown>()
  for (const t of trades) {
    const key = `${t.strategyId}\u0000${t.instrumentKey}`
    let b = by.get(key)
    if (b === undefined) {
      b = {
        strategyId: t.strategyId,
        instrumentKey: t.instrumentKey,
        ...(t.symbol === undefined ? {} : { symbol: t.symbol }),
        trades: 0,
        wins: 0,
        netPnl: 0,
        fees: 0,
      }
      by.set(key, b)
    }
    b.trades++
    if (t.netPnl > 0) b.wins++
    b.netPnl += t.netPnl
    b.fees += t.fees
  }
  const rows = [...by.values()]
    .sort((a, b) => a.strategyId.localeCompare(b.strategyId) || a.instrumentKey.localeCompare(b.instrumentKey))
    .map(
      (b) =>
        `<tr><td>${esc(b.strategyId)}</td>${instrumentCell(b)}<td>${b.trades}</td><td class="${signClass(b.netPnl)}">${esc(formatInr(b.netPnl, 2))}</td><td>${((b.wins / b.trades) * 100).toFixed(1)}%</td><td>${esc(formatInr(b.fees, 2))}</td></tr>`,
    )
  return `<h2>By strategy and instrument</h2><table class="breakdown"><tr><th>strategy</th><th>instrument</th><th>trades</th><th>net PnL</th><th>win rate</th><th>fees</th></tr>${rows.join('')}</table>`
}

const CSS = `body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}table{border-collapse:collapse;margin:1em 0}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f3f3f3}.neg{color:#b00020}.pos{color:#00695c}
small,.note{color:#666}section{margin-bottom:2em}.trades td{white-space:nowrap}.trades td:nth-last-child(-n+2){white-space:normal;min-width:18em}
.gap td{text-align:center;color:#666;background:#fafafa}.heatmap td{text-align:right;min-width:4.5em}.heatmap .total{font-weight:600;border-left:2px solid #999}
.hm-empty{background:#fff}.chart{max-width:1000px;display:block}.chart .plot{fill:#fafafa;stroke:#ccc}.chart .grid{stroke:#e4e4e4}
.chart .ytick{font-size:11px;text-anchor:end;dominant-baseline:middle;fill:#555}.chart .xtick{font-size:11px;text-anchor:middle;fill:#555}
.chart .panel{font-size:12px;fill:#333}.chart .equity{fill:none;stroke:#1565c0;stroke-width:1.5}.chart .drawdown{fill:none;stroke:#b00020;stroke-width:1}.chart .dd-fill{fill:rgba(176,0,32,.18)}
.chart .hover{fill:transparent}.chart .hover:hover{fill:rgba(0,0,0,.06)}`

const rupees = (v: number) => formatInr(v, 2)
const percent = (v: number) => `${v.toFixed(2)}%`
const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : String(v))

/** The performance figures as a reader expects them: labelled and formatted; keys not listed show as they are. */
const METRICS: Readonly<Record<string, readonly [string, (v: number) => string]>> = {
  startEquity: ['Start equity', rupees],
  endEquity: ['End equity', rupees],
  netPnl: ['Net PnL (after fees)', rupees],
  totalReturnPct: ['Total return', percent],
  cagrPct: ['CAGR', percent],
  sharpe: ['Sharpe (daily returns, annualised)', ratio],
  sortino: ['Sortino (daily returns, annualised)', ratio],
  maxDrawdown: ['Max drawdown', rupees],
  maxDrawdownPct: ['Max drawdown (% of peak)', percent],
  closedTrades: ['Closed trades', (v) => v.toLocaleString('en-IN')],
  winRatePct: ['Win rate', percent],
  profitFactor: ['Profit factor', ratio],
  expectancy: ['Expectancy per trade', rupees],
  exposurePct: ['Exposure (share of market time with a position open)', percent],
  fees: ['Fees and charges', rupees],
}

/**
 * A figure's `<key>Note` says why the figure is null in report.json (JSON has no infinity): it is shown in the
 * figure's place, `infinite: <why>` as `∞ (<why>)`.
 */
const NOTE = 'Note'
const INFINITE = 'infinite: '

const metricText = (metrics: ReportData['metrics'], k: string, v: unknown): string => {
  const known = METRICS[k]
  if (known !== undefined && typeof v === 'number') return known[1](v)
  const note = metrics[`${k}${NOTE}`]
  if (v === null && typeof note === 'string')
    return note.startsWith(INFINITE) ? `∞ (${note.slice(INFINITE.length)})` : note
  return String(v)
}

export const renderReportHtml = (r: ReportData): string => {
  const metricRows = Object.entries(r.metrics)
    .filter(([k]) => k !== 'monthlyReturnsPct' && !(k.endsWith(NOTE) && k.slice(0, -NOTE.length) in r.metrics))
    .map(([k, v]) => `<tr><th>${esc(METRICS[k]?.[0] ?? k)}</th><td>${esc(metricText(r.metrics, k, v))}</td></tr>`)
    .join('')
  const runRows = Object.entries(r.run)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('')
  // Why a run traded less than its signals asked: no rows when nothing was denied.
  const denials = Object.entries(r.deniedOrders)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([rule, n]) => `<tr><th>orders denied by ${esc(rule)}</th><td>${n}</td></tr>`)
    .join('')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>${CSS}</style></head>
<body><h1>${esc(r.title)}</h1>
<section><h2>Run</h2><table>${runRows}${denials}</table></section>
<section><h2>Performance</h2><table>${metricRows}</table><ul>${r.conventions.map((c) => `<li>${esc(c)}</li>`).join('')}</ul></section>
<section><h2>Equity and drawdown (INR)</h2><p class="note">Points are spaced by trading time; hover for the values.</p>
${equityChart(
  r.equity.map(([t]) => t),
  r.equity.map(([, v]) => v),
)}</section>
<section><h2>Monthly returns</h2>${monthlyHeatmap(r.metrics.monthlyReturnsPct)}</section>
<section>${breakdownSection(r.trades)}</section>
<section>${tradesSection(r.trades)}</section></body></html>
`
}
