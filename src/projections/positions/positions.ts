import type { Envelope, OrderFilled } from '../../domain/events/index.js'

// Positions per (strategy, instrument), account cash, and marks, all in integer paise.
//
// Accounting: a position keeps its signed quantity and the signed cost of that open quantity. A fill that adds to
// the position adds qty x price to the cost; a fill that reduces it releases the proportional share of the cost
// (rounded to a paisa) and books the difference as realized PnL; a fill through zero is split in two. So for every
// position, realized - cost == -(signed sum of qty x price), exactly, whatever the rounding: cash, realized and
// unrealized PnL always reconcile to the paisa.

export interface Position {
  readonly strategyId: string
  readonly instrumentKey: string
  /** Signed: positive long, negative short. */
  qty: number
  /** Signed cost of the open quantity (negative for a short: the proceeds). */
  costPaise: number
  realizedPaise: number
  feesPaise: number
  buyQty: number
  sellQty: number
  lastFillSeq: number
}

/** What the book knows about one instrument across strategies. */
export interface InstrumentMark {
  /** Last traded or closing price; 0 until the first tick, bar or fill. */
  markPaise: number
  markTs: number
  /** Net quantity across strategies (what the mark moves the equity by). */
  netQty: number
}

export interface PortfolioState {
  readonly positions: Map<string, Position>
  readonly marks: Map<string, InstrumentMark>
  initialCashPaise: number
  cashPaise: number
  realizedPaise: number
  feesPaise: number
  /** Sum over instruments of netQty x mark: kept incrementally so a tick costs O(1). */
  positionValuePaise: number
}

export const createPortfolio = (): PortfolioState => ({
  positions: new Map(),
  marks: new Map(),
  initialCashPaise: 0,
  cashPaise: 0,
  realizedPaise: 0,
  feesPaise: 0,
  positionValuePaise: 0,
})

// Memoised: every bar asks once per strategy, and a fill a few times (engine, exits, risk, execution); building and
// hashing a new string each time was a tenth of a backtest's engine. A pure function's cache changes no result, and
// holds one string per position a process ever sees.
const positionKeys = new Map<string, Map<string, string>>()

export const positionKey = (strategyId: string, instrumentKey: string): string => {
  let byInstrument = positionKeys.get(strategyId)
  if (byInstrument === undefined) positionKeys.set(strategyId, (byInstrument = new Map()))
  let key = byInstrument.get(instrumentKey)
  if (key === undefined) byInstrument.set(instrumentKey, (key = `${strategyId}\u0000${instrumentKey}`))
  return key
}

export const equityPaise = (p: PortfolioState): number => p.cashPaise + p.positionValuePaise

export const unrealizedPaise = (pos: Position, markPaise: number): number => pos.qty * markPaise - pos.costPaise

/** Average entry price of the open quantity, in (fractional) paise; 0 when flat. For display: fold with cost. */
export const averagePricePaise = (pos: Position): number => (pos.qty === 0 ? 0 : pos.costPaise / pos.qty)

const markOf = (p: PortfolioState, key: string): InstrumentMark => {
  let m = p.marks.get(key)
  if (m === undefined) {
    m = { markPaise: 0, markTs: 0, netQty: 0 }
    p.marks.set(key, m)
  }
  return m
}

/** Moves the mark; the position value follows by the net quantity times the change. */
export const setMark = (p: PortfolioState, instrumentKey: string, pricePaise: number, ts: number): void => {
  const m = markOf(p, instrumentKey)
  if (m.netQty !== 0) p.positionValuePaise += m.netQty * (pricePaise - m.markPaise)
  m.markPaise = pricePaise
  m.markTs = ts
}

/** Applies one fill; returns the realized PnL it booked (for the risk state's daily figure). */
export const applyFill = (p: PortfolioState, f: OrderFilled['payload'], seq: number, ts: number): number => {
  const key = positionKey(f.strategyId, f.instrumentKey)
  let pos = p.positions.get(key)
  if (pos === undefined) {
    pos = {
      strategyId: f.strategyId,
      instrumentKey: f.instrumentKey,
      qty: 0,
      costPaise: 0,
      realizedPaise: 0,
      feesPaise: 0,
      buyQty: 0,
      sellQty: 0,
      lastFillSeq: 0,
    }
    p.positions.set(key, pos)
  }
  const signed = f.side === 'BUY' ? f.fillQty : -f.fillQty
  const px = f.fillPricePaise
  let realized = 0
  let rest = signed
  if (pos.qty !== 0 && Math.sign(rest) !== Math.sign(pos.qty)) {
    const closing = Math.min(Math.abs(rest), Math.abs(pos.qty))
    const released = Math.round((pos.costPaise * closing) / Math.abs(pos.qty))
    const closingSigned = Math.sign(rest) * closing
    realized = -closingSigned * px - released
    pos.qty += closingSigned
    pos.costPaise -= released
    rest -= closingSigned
  }
  if (rest !== 0) {
    pos.qty += rest
    pos.costPaise += rest * px
  }
  pos.realizedPaise += realized
  pos.feesPaise += f.feesPaise
  if (signed > 0) pos.buyQty += f.fillQty
  else pos.sellQty += f.fillQty
  pos.lastFillSeq = seq

  p.cashPaise -= signed * px + f.feesPaise
  p.realizedPaise += realized
  p.feesPaise += f.feesPaise
  const m = markOf(p, f.instrumentKey)
  if (m.markPaise === 0) {
    m.markPaise = px
    m.markTs = ts
  }
  m.netQty += signed
  p.positionValuePaise += signed * m.markPaise
  return realized
}

/** Folds the events the portfolio cares about: the run's capital, marks from ticks and bars, and fills. */
export const evolvePortfolio = (p: PortfolioState, e: Envelope): number => {
  switch (e.type) {
    case 'TickReceived':
      setMark(p, e.payload.instrumentKey, e.payload.ltpPaise, e.ts)
      return 0
    case 'BarClosed':
      setMark(p, e.payload.instrumentKey, e.payload.closePaise, e.ts)
      return 0
    case 'OrderFilled':
      return applyFill(p, e.payload, e.seq, e.ts)
    case 'RunStarted':
      p.cashPaise += e.payload.capitalPaise - p.initialCashPaise
      p.initialCashPaise = e.payload.capitalPaise
      return 0
    default:
      return 0
  }
}
