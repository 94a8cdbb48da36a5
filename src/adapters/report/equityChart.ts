import { escapeHtml } from './escapeHtml.js'
import { formatInr, niceTicks } from './formatInr.js'
import { timeTicks } from './timeTicks.js'

// The equity curve and its drawdown as one inline SVG: two panels on a shared time axis (date ticks under the lower
// panel, grid lines through both), y ticks in INR, and hover bands with a <title> each (no script needed). Long runs
// are drawn from at most ~1,200 points (each bucket keeps its lowest and highest sample, so no dip is lost).

const W = 1000
const LEFT = 96
const RIGHT = 16
const PLOT_W = W - LEFT - RIGHT
const EQ_TOP = 12
const EQ_H = 240
const DD_TOP = EQ_TOP + EQ_H + 18
const DD_H = 130
const H = DD_TOP + DD_H + 34
const HOVER_BANDS = 120

/** Indices to draw: all of them, or per bucket the lowest and the highest value, in order. */
const drawnIndices = (values: readonly number[], maxPoints = 1200): number[] => {
  const n = values.length
  if (n <= maxPoints) return values.map((_, i) => i)
  const buckets = Math.floor(maxPoints / 2)
  const out: number[] = []
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets)
    const to = Math.floor(((b + 1) * n) / buckets)
    let lo = from
    let hi = from
    for (let i = from; i < to; i++) {
      if ((values[i] ?? 0) < (values[lo] ?? 0)) lo = i
      if ((values[i] ?? 0) > (values[hi] ?? 0)) hi = i
    }
    out.push(Math.min(lo, hi))
    if (hi !== lo) out.push(Math.max(lo, hi))
  }
  return out
}

const fmt = (n: number) => n.toFixed(1)

interface Panel {
  readonly top: number
  readonly height: number
  readonly min: number
  readonly max: number
}

const yOf = (p: Panel, v: number) => p.top + p.height - ((v - p.min) / (p.max - p.min || 1)) * p.height

const panelFor = (values: readonly number[], top: number, height: number): Panel & { ticks: number[] } => {
  const lo = Math.min(...values)
  const hi = Math.max(...values)
  const pad = hi === lo ? Math.max(1, Math.abs(hi) * 0.01) : 0
  const ticks = niceTicks(lo - pad, hi + pad)
  return {
    top,
    height,
    min: Math.min(lo - pad, ...ticks),
    max: Math.max(hi + pad, ...ticks),
    ticks,
  }
}

export const equityChart = (times: readonly string[], equity: readonly number[]): string => {
  const n = equity.length
  if (n === 0) return '<p>No equity samples.</p>'
  let peak = Number.NEGATIVE_INFINITY
  const drawdown = equity.map((v) => {
    peak = Math.max(peak, v)
    return v - peak
  })
  const xOf = (i: number) => LEFT + (n === 1 ? PLOT_W / 2 : (i / (n - 1)) * PLOT_W)
  const eq = panelFor(equity, EQ_TOP, EQ_H)
  const dd = panelFor([...drawdown, 0], DD_TOP, DD_H)
  const line = (values: readonly number[], p: Panel) =>
    drawnIndices(values)
      .map((i) => `${fmt(xOf(i))},${fmt(yOf(p, values[i] ?? 0))}`)
      .join(' ')
  const yAxis = (p: Panel & { ticks: number[] }) =>
    p.ticks
      .map((v) => {
        const y = fmt(yOf(p, v))
        return `<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${y}" y2="${y}"/><text class="ytick" x="${LEFT - 6}" y="${y}">${escapeHtml(formatInr(v))}</text>`
      })
      .join('')
  const xTicks = timeTicks(times)
    .map((t) => {
      const x = fmt(xOf(t.index))
      return `<line class="grid" x1="${x}" x2="${x}" y1="${EQ_TOP}" y2="${DD_TOP + DD_H}"/><text class="xtick" x="${x}" y="${DD_TOP + DD_H + 16}">${escapeHtml(t.label)}</text>`
    })
    .join('')
  const bands: string[] = []
  const bandCount = Math.min(HOVER_BANDS, n)
  for (let b = 0; b < bandCount; b++) {
    const from = Math.floor((b * n) / bandCount)
    const to = Math.max(from, Math.floor(((b + 1) * n) / bandCount) - 1)
    const x0 = b === 0 ? LEFT : (xOf(from - 1) + xOf(from)) / 2
    const x1 = b === bandCount - 1 ? W - RIGHT : (xOf(to) + xOf(to + 1)) / 2
    const pk = (equity[to] ?? 0) - (drawdown[to] ?? 0)
    const ddPct = pk > 0 ? ((drawdown[to] ?? 0) / pk) * 100 : 0
    const tip = `${times[to] ?? ''} IST: equity ${formatInr(equity[to] ?? 0, 2)}, drawdown ${formatInr(drawdown[to] ?? 0, 2)} (${ddPct.toFixed(2)}%)`
    bands.push(
      `<rect class="hover" x="${fmt(x0)}" y="${EQ_TOP}" width="${fmt(Math.max(0.5, x1 - x0))}" height="${DD_TOP + DD_H - EQ_TOP}"><title>${escapeHtml(tip)}</title></rect>`,
    )
  }
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Equity and drawdown (INR)">
<rect x="${LEFT}" y="${EQ_TOP}" width="${PLOT_W}" height="${EQ_H}" class="plot"/><rect x="${LEFT}" y="${DD_TOP}" width="${PLOT_W}" height="${DD_H}" class="plot"/>
<g class="y-equity">${yAxis(eq)}</g><g class="y-drawdown">${yAxis(dd)}</g><g class="x-axis">${xTicks}</g>
<text class="panel" x="${LEFT + 6}" y="${EQ_TOP + 14}">Equity</text><text class="panel" x="${LEFT + 6}" y="${DD_TOP + 14}">Drawdown from peak</text>
<polyline class="equity" points="${line(equity, eq)}"/>
<polygon class="dd-fill" points="${fmt(xOf(0))},${fmt(yOf(dd, 0))} ${line(drawdown, dd)} ${fmt(xOf(n - 1))},${fmt(yOf(dd, 0))}"/><polyline class="drawdown" points="${line(drawdown, dd)}"/>
<g class="hovers">${bands.join('')}</g></svg>`
}
