import type { Envelope, OrderFilled } from '../../domain/events/index.js'
import { istDateOf, istDayNumber } from '../../domain/time/index.js'
import { equityPaise, positionKey } from '../positions/index.js'
import type { TradingState } from '../state/index.js'

// What a backtest report is made of, folded from the same journal as everything else: round-trip trades with the
// reasons they were entered and left, the equity curve (end of every IST day, and a bounded intraday sample for
// the chart), and the figures from them (performanceMetrics.ts). It reads the trading state after each event, so it
// is folded right after the engine: `observe(report, state, event)`, over a journal read back or as a run steps.

export interface ClosedTrade {
  readonly strategyId: string
  readonly instrumentKey: string
  readonly side: 'LONG' | 'SHORT'
  readonly qty: number
  readonly entryTs: number
  readonly exitTs: number
  /** Average prices in (fractional) paise. */
  readonly entryPricePaise: number
  readonly exitPricePaise: number
  /** Realized PnL of the round trip minus its charges, paise. */
  readonly netPnlPaise: number
  readonly feesPaise: number
  readonly entryReason: string
  readonly exitReason: string
}

interface OpenTrade {
  side: 'LONG' | 'SHORT'
  maxQty: number
  entryTs: number
  entryValuePaise: number
  entryQty: number
  exitValuePaise: number
  exitQty: number
  realizedAtOpenPaise: number
  feesPaise: number
  entryReason: string
  exitReason: string
}

export interface EquityPoint {
  readonly ts: number
  readonly equityPaise: number
}

export interface ReportState {
  readonly trades: ClosedTrade[]
  readonly open: Map<string, OpenTrade>
  /** Equity at the end of each IST day that had events (ts = the day's last event). */
  readonly daily: EquityPoint[]
  /** Intraday equity, one point per `sampleMs` at most. */
  readonly intraday: EquityPoint[]
  readonly sampleMs: number
  day: number
  lastSampleTs: number
  /**
   * Market time for exposure, counted in bar periods: a period is one bar start (`openMs`) of the data, across
   * instruments, so five stocks' 09:15 bars are one period. Calendar time would count nights, weekends and holidays,
   * when no position can be traded, and cap an intraday strategy at about 18%.
   */
  barPeriods: number
  /** Bar periods at whose end a position was open. */
  exposedPeriods: number
  /** Start of the current bar period (not yet counted: it is counted when a later one starts, or at the end). */
  periodOpenMs: number
  /** Whether any (strategy, instrument) position is open now; positions change only on fills. */
  positionOpen: boolean
  lastTs: number
  firstTs: number
}

export const createReport = (sampleMs = 15 * 60_000): ReportState => ({
  trades: [],
  open: new Map(),
  daily: [],
  intraday: [],
  sampleMs,
  day: -1,
  lastSampleTs: -Infinity,
  barPeriods: 0,
  exposedPeriods: 0,
  periodOpenMs: -Infinity,
  positionOpen: false,
  lastTs: 0,
  firstTs: 0,
})

// Positions, not marks: two strategies long and short one instrument net to zero on its mark but are both exposed.
const anyOpen = (s: TradingState): boolean => {
  for (const p of s.portfolio.positions.values()) if (p.qty !== 0) return true
  return false
}

/** Exposure's counts with the current (last) bar period included; the fold counts a period only once it ends. */
export const exposureCounts = (r: ReportState): { readonly periods: number; readonly exposed: number } => {
  const current = r.periodOpenMs === -Infinity ? 0 : 1
  return {
    periods: r.barPeriods + current,
    exposed: r.exposedPeriods + (current === 1 && r.positionOpen ? 1 : 0),
  }
}

/** Folds one event; `s` is the trading state right after it. */
export const observe = (r: ReportState, s: TradingState, e: Envelope): ReportState => {
  if (e.type === 'BarClosed') return observeBar(r, s, e.ts, e.payload.openMs)
  observeTime(r, s, e.ts)
  if (e.type !== 'OrderFilled') return r
  return observeFill(r, s, e)
}

/** Folds a bar closing at `ts` (`observe` of a `BarClosed`, from its numbers: every bar of a run passes here). */
export const observeBar = (r: ReportState, s: TradingState, ts: number, openMs: number): ReportState => {
  // A later bar start ends the current period: it was exposed if a position was open at its end. An earlier start
  // (one instrument's bar closing late, in a run on ticks) belongs to a period already counted.
  if (openMs > r.periodOpenMs) {
    if (r.periodOpenMs !== -Infinity) {
      r.barPeriods++
      if (r.positionOpen) r.exposedPeriods++
    }
    r.periodOpenMs = openMs
  }
  observeTime(r, s, ts)
  return r
}

/** What every event moves: the run's first and last time, and the equity points. */
const observeTime = (r: ReportState, s: TradingState, ts: number): void => {
  if (r.firstTs === 0) r.firstTs = ts
  if (ts > r.lastTs) r.lastTs = ts
  const equity = equityPaise(s.portfolio)
  const day = istDayNumber(ts)
  if (day !== r.day) {
    r.daily.push({ ts, equityPaise: equity })
    r.day = day
  } else {
    // Every event of a day moves its point: updated in place, not a new object per bar.
    const last = r.daily[r.daily.length - 1] as { ts: number; equityPaise: number }
    last.ts = ts
    last.equityPaise = equity
  }
  if (ts - r.lastSampleTs >= r.sampleMs) {
    r.intraday.push({ ts, equityPaise: equity })
    r.lastSampleTs = ts
  }
}

/** A fill: the round trip it opens, adds to, closes or flips. */
const observeFill = (r: ReportState, s: TradingState, e: Envelope<OrderFilled>): ReportState => {
  r.positionOpen = anyOpen(s)
  const f = e.payload
  const key = positionKey(f.strategyId, f.instrumentKey)
  const pos = s.portfolio.positions.get(key)
  const after = pos?.qty ?? 0
  const reason = s.orders.orders.get(f.orderId)?.reason ?? ''
  const signed = f.side === 'BUY' ? f.fillQty : -f.fillQty
  // A fill moves its position by exactly its signed quantity (positions.ts), so the state after it says what was held.
  const qtyBefore = after - signed
  let t = r.open.get(key)
  if (t === undefined || qtyBefore === 0) {
    t = {
      side: signed > 0 ? 'LONG' : 'SHORT',
      maxQty: 0,
      entryTs: e.ts,
      entryValuePaise: 0,
      entryQty: 0,
      exitValuePaise: 0,
      exitQty: 0,
      // An opening fill books no PnL, so the position's realized figure now is what it had before this trade.
      realizedAtOpenPaise: pos?.realizedPaise ?? 0,
      feesPaise: 0,
      entryReason: reason,
      exitReason: '',
    }
    r.open.set(key, t)
  }
  t.feesPaise += f.feesPaise
  const adding = Math.sign(signed) === (t.side === 'LONG' ? 1 : -1)
  if (adding) {
    t.entryValuePaise += f.fillQty * f.fillPricePaise
    t.entryQty += f.fillQty
  } else {
    const closing = Math.min(f.fillQty, Math.abs(qtyBefore))
    t.exitValuePaise += closing * f.fillPricePaise
    t.exitQty += closing
    t.exitReason = reason
  }
  t.maxQty = Math.max(t.maxQty, Math.abs(after), Math.abs(qtyBefore))
  if (after === 0 || (qtyBefore !== 0 && Math.sign(after) !== Math.sign(qtyBefore))) {
    // Flat (or flipped through zero): the round trip is closed.
    r.trades.push({
      strategyId: f.strategyId,
      instrumentKey: f.instrumentKey,
      side: t.side,
      qty: t.maxQty,
      entryTs: t.entryTs,
      exitTs: e.ts,
      entryPricePaise: t.entryQty === 0 ? 0 : t.entryValuePaise / t.entryQty,
      exitPricePaise: t.exitQty === 0 ? 0 : t.exitValuePaise / t.exitQty,
      netPnlPaise: (pos?.realizedPaise ?? 0) - t.realizedAtOpenPaise - t.feesPaise,
      feesPaise: t.feesPaise,
      entryReason: t.entryReason,
      exitReason: t.exitReason,
    })
    r.open.delete(key)
    if (after !== 0) {
      // The flip opens a new trade with the rest of the fill.
      r.open.set(key, {
        side: after > 0 ? 'LONG' : 'SHORT',
        maxQty: Math.abs(after),
        entryTs: e.ts,
        entryValuePaise: Math.abs(after) * f.fillPricePaise,
        entryQty: Math.abs(after),
        exitValuePaise: 0,
        exitQty: 0,
        realizedAtOpenPaise: pos?.realizedPaise ?? 0,
        feesPaise: 0,
        entryReason: reason,
        exitReason: '',
      })
    }
  }
  return r
}

/** `2025-01` for a timestamp, in IST. */
export const istMonthOf = (ts: number): string => istDateOf(ts).slice(0, 7)
