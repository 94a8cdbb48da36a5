import { equityCharges, scheduleOn, UPSTOX_EQUITY_SCHEDULES } from '../../domain/charges/index.js'
import type {
  BarClosed,
  Envelope,
  EventDraft,
  OrderFilled,
  SimulatorConfig,
  TickReceived,
} from '../../domain/events/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { istDateOf, istDayNumber } from '../../domain/time/index.js'
import type { OrderView } from '../orders/index.js'
import { positionKey } from '../positions/index.js'
import type { TradingState } from '../state/index.js'
import { NO_EVENTS } from './simulatedBroker.js'

// The simulated broker's matching: a deterministic decider inside the engine loop, so a backtest is one pure fold.
// Its state (configuration, the seeded random generator, when each accepted order becomes live, which stop orders
// have triggered) is part of the engine state and of its snapshots. Documented in docs/simulated-broker.md.
//
// For each price event of an instrument, every working order of that instrument that is live is matched against the
// price path: a tick is a single point; a bar is [open] under `next-open`, and [open, low, high, close] (rising
// bar) or [open, high, low, close] (falling bar) under `touch`. The open is a gap: an order marketable at the open
// fills at the open, which may be better than its limit or worse than its stop. Inside a bar, a limit fills at its
// limit price and a stop triggers at its trigger price. Market and stop-market fills slip `slippageTicks` against
// the order; limit fills never fill worse than their limit.

export const DEFAULT_SIMULATOR_CONFIG: SimulatorConfig = {
  fillModel: 'next-open',
  slippageTicks: 0,
  tickPaise: 5,
  limitFillProbability: 1,
  latencyMs: 0,
  charges: 'zero',
}

export interface SimulatorState {
  config: SimulatorConfig
  /** mulberry32 state, seeded from the run's manifest. */
  rng: number
  /** Earliest event time at which each accepted order can fill (acceptance + latency). */
  readonly liveFromMs: Map<string, number>
  /** When each working order was accepted: a priced DAY order expires once a later IST day's prices come. */
  readonly acceptedMs: Map<string, number>
  /** Stop orders (SL, SL-M) whose trigger has been reached. */
  readonly triggered: Set<string>
}

export const createSimulatorState = (): SimulatorState => ({
  config: DEFAULT_SIMULATOR_CONFIG,
  rng: 0,
  liveFromMs: new Map(),
  acceptedMs: new Map(),
  triggered: new Set(),
})

/** One uniform draw in [0, 1) from mulberry32, advancing the state. */
const draw = (sim: SimulatorState): number => {
  sim.rng = (sim.rng + 0x6d2b79f5) >>> 0
  let t = sim.rng
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

export const evolveSimulator = (sim: SimulatorState, e: Envelope): SimulatorState => {
  switch (e.type) {
    case 'RunStarted':
      sim.rng = e.payload.seed >>> 0
      return sim
    case 'SimulatorConfigured':
      sim.config = e.payload.config
      return sim
    case 'OrderAccepted':
      sim.liveFromMs.set(e.payload.orderId, e.ts + sim.config.latencyMs)
      sim.acceptedMs.set(e.payload.orderId, e.ts)
      return sim
    case 'OrderCancelled':
    case 'OrderRejected':
    case 'OrderExpired':
      forget(sim, e.payload.orderId)
      return sim
    default:
      return sim
  }
}

/** Forgets orders that are no longer working (filled), so the maps stay as small as the working set. */
export const pruneSimulator = (sim: SimulatorState, s: TradingState, orderId: string): void => {
  if (!s.orders.working.has(orderId)) forget(sim, orderId)
}

const forget = (sim: SimulatorState, orderId: string): void => {
  sim.liveFromMs.delete(orderId)
  sim.acceptedMs.delete(orderId)
  sim.triggered.delete(orderId)
}

/** Where an order fills: the price, whether at its limit, and the point of the path reached (0, the open; i, segment i). */
type Match = { readonly pricePaise: number; readonly atLimit: boolean; readonly at: number } | undefined

/**
 * Where `o` fills on `path` (the first point is the open, a gap), or undefined. Marks stops triggered on the way.
 */
const match = (sim: SimulatorState, o: OrderView, path: readonly number[], lo: number, hi: number): Match => {
  const buy = o.side === 'BUY'
  // Out of the path's range (`lo`..`hi`), a stop not yet triggered or a limit cannot fill here: what most prices are
  // for a resting order, answered before anything else.
  if (o.orderType === 'LIMIT' && (buy ? lo > (o.limitPricePaise ?? 0) : hi < (o.limitPricePaise ?? 0))) return undefined
  if (
    (o.orderType === 'SL' || o.orderType === 'SL-M') &&
    (buy ? hi < (o.triggerPricePaise ?? 0) : lo > (o.triggerPricePaise ?? 0)) &&
    !sim.triggered.has(o.orderId)
  )
    return undefined
  const slip = sim.config.slippageTicks * sim.config.tickPaise * (buy ? 1 : -1)
  const slipped = (p: number) => Math.max(sim.config.tickPaise, p + slip)
  const isStop = o.orderType === 'SL' || o.orderType === 'SL-M'
  const trigger = o.triggerPricePaise ?? 0
  const limit = o.limitPricePaise ?? 0
  const reachedTrigger = (lo: number, hi: number) => (buy ? hi >= trigger : lo <= trigger)
  const marketable = (p: number) => (buy ? p <= limit : p >= limit)
  const touches = (lo: number, hi: number) => (buy ? lo <= limit : hi >= limit)
  let triggered = !isStop || sim.triggered.has(o.orderId)

  // The open: a gap, where a marketable order fills at the open itself.
  const open = path[0]!
  if (!triggered && reachedTrigger(open, open)) {
    triggered = true
    sim.triggered.add(o.orderId)
    if (o.orderType === 'SL-M') return { pricePaise: slipped(open), atLimit: false, at: 0 }
  }
  if (triggered) {
    if (o.orderType === 'MARKET' || o.orderType === 'SL-M') return { pricePaise: slipped(open), atLimit: false, at: 0 }
    if (marketable(open)) return { pricePaise: open, atLimit: false, at: 0 }
  }
  // Inside the bar, segment by segment.
  for (let i = 1; i < path.length; i++) {
    let a = path[i - 1]!
    const b = path[i]!
    if (!triggered) {
      if (!reachedTrigger(Math.min(a, b), Math.max(a, b))) continue
      triggered = true
      sim.triggered.add(o.orderId)
      if (o.orderType === 'SL-M') return { pricePaise: slipped(trigger), atLimit: false, at: i }
      // An SL turns into a limit order at the trigger: marketable there, it fills at the trigger; otherwise only
      // the rest of the segment, from the trigger on, can reach its limit.
      if (marketable(trigger)) return { pricePaise: trigger, atLimit: true, at: i }
      a = trigger
    }
    if ((o.orderType === 'LIMIT' || o.orderType === 'SL') && touches(Math.min(a, b), Math.max(a, b))) {
      return { pricePaise: limit, atLimit: true, at: i }
    }
  }
  return undefined
}

const feesFor = (sim: SimulatorState, o: OrderView, qty: number, pricePaise: number, ts: number): number =>
  sim.config.charges === 'zero'
    ? 0
    : equityCharges(scheduleOn(UPSTOX_EQUITY_SCHEDULES, istDateOf(ts)), {
        side: o.side,
        product: o.product,
        valuePaise: qty * pricePaise,
        chargeBrokerage: o.filledQty === 0,
      }).totalPaise

/** The most a fill may take of a bar's (or tick's) volume under the participation cap. */
const volumeCap = (sim: SimulatorState, volume: number): number =>
  sim.config.participation === undefined ? Number.POSITIVE_INFINITY : Math.floor(volume * sim.config.participation)

const fillOf = (
  sim: SimulatorState,
  o: OrderView,
  filled: number,
  pricePaise: number,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
): EventDraft => ({
  type: 'OrderFilled',
  ts: e.ts,
  // Caused by the order (its latest event), so `explain` walks fill <- order <- signal <- bar.
  causationId: unsafe.seq(o.lastSeq),
  correlationId: o.orderId,
  payload: {
    orderId: o.orderId,
    tradeId: `${o.orderId}-T${e.seq}`,
    strategyId: o.strategyId,
    instrumentKey: o.instrumentKey,
    side: o.side,
    fillQty: unsafeMoney.qty(filled),
    fillPricePaise: unsafeMoney.price(pricePaise),
    feesPaise: unsafeMoney.paise(feesFor(sim, o, filled, pricePaise, e.ts)) as OrderFilled['payload']['feesPaise'],
  },
})

const matchWorking = (
  sim: SimulatorState,
  s: TradingState,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
): readonly EventDraft[] => {
  const key = e.payload.instrumentKey
  const tick = e.type === 'TickReceived'
  const volume = tick ? e.payload.ltq : e.payload.volume
  const openMs = tick ? e.payload.lttMs : e.payload.openMs
  // The path, and its range, built once a live order of the instrument asks: most prices have none.
  let path: readonly number[] | undefined
  let lo = 0
  let hi = 0
  const pathOf = (): readonly number[] => {
    if (e.type === 'TickReceived') {
      lo = hi = e.payload.ltpPaise
      return [e.payload.ltpPaise]
    }
    const b = e.payload
    if (sim.config.fillModel === 'next-open') {
      lo = hi = b.openPaise
      return [b.openPaise]
    }
    lo = Math.min(b.openPaise, b.lowPaise, b.closePaise)
    hi = Math.max(b.openPaise, b.highPaise, b.closePaise)
    return b.closePaise >= b.openPaise
      ? [b.openPaise, b.lowPaise, b.highPaise, b.closePaise]
      : [b.openPaise, b.highPaise, b.lowPaise, b.closePaise]
  }
  let out: EventDraft[] | undefined
  let resting: { readonly o: OrderView; readonly m: NonNullable<Match> }[] | undefined
  // The strategies' own orders filled at this price, with their quantities: resting exits fill against the position
  // they leave.
  let filledHere: { readonly o: OrderView; readonly qty: number }[] | undefined
  for (const o of s.orders.working.values()) {
    if (o.instrumentKey !== key) continue
    // A priced DAY order rests until its IST day ends: the first price of a later day expires it, before any match.
    // A MARKET order is not priced: it fills at the next price, even the next session's open.
    if (o.orderType !== 'MARKET' && o.validity === 'DAY') {
      const accepted = sim.acceptedMs.get(o.orderId)
      if (accepted !== undefined && istDayNumber(openMs) > istDayNumber(accepted)) {
        ;(out ??= []).push({
          type: 'OrderExpired',
          ts: e.ts,
          causationId: unsafe.seq(o.lastSeq),
          correlationId: o.orderId,
          payload: { orderId: o.orderId, reason: `DAY order unfilled at the end of ${istDateOf(accepted)}` },
        })
        continue
      }
    }
    const liveFrom = sim.liveFromMs.get(o.orderId)
    // Not yet accepted, or not live yet (latency): this price came too early for it.
    if (liveFrom === undefined || openMs < liveFrom) continue
    path ??= pathOf()
    const m = match(sim, o, path, lo, hi)
    let filled = 0
    if (
      m !== undefined &&
      !(m.atLimit && sim.config.limitFillProbability < 1 && draw(sim) >= sim.config.limitFillProbability)
    ) {
      if (o.protects !== undefined) {
        ;(resting ??= []).push({ o, m })
        continue
      }
      filled = Math.min(o.qty - o.filledQty, volumeCap(sim, volume))
      if (filled > 0) {
        ;(out ??= []).push(fillOf(sim, o, filled, m.pricePaise, e))
        ;(filledHere ??= []).push({ o, qty: filled })
      }
    }
    if (o.validity === 'IOC' && o.filledQty + filled < o.qty) {
      ;(out ??= []).push({
        type: 'OrderCancelled',
        ts: e.ts,
        causationId: unsafe.seq(o.lastSeq),
        correlationId: o.orderId,
        payload: { orderId: o.orderId, reason: `IOC: ${o.qty - o.filledQty - filled} unfilled at the first price` },
      })
    }
  }
  // Resting exits (protectiveOrders.ts) reached at this price: per position, only the one the path reaches first
  // fills, at most what is left of the position. A bar that touches both the stop and the target fills one, and the
  // engine then cancels the other (one cancels the other), never both.
  if (resting !== undefined) {
    resting.sort((a, b) => a.m.at - b.m.at)
    const done = new Set<string>()
    for (const { o, m } of resting) {
      const key = positionKey(o.strategyId, o.instrumentKey)
      if (done.has(key)) continue
      done.add(key)
      let held = s.portfolio.positions.get(key)?.qty ?? 0
      for (const { o: f, qty } of filledHere ?? []) {
        if (f.strategyId === o.strategyId && f.instrumentKey === o.instrumentKey) held += f.side === 'BUY' ? qty : -qty
      }
      const reducible = o.side === 'SELL' ? Math.max(0, held) : Math.max(0, -held)
      const filled = Math.min(o.qty - o.filledQty, volumeCap(sim, volume), reducible)
      if (filled > 0) (out ??= []).push(fillOf(sim, o, filled, m.pricePaise, e))
    }
  }
  return out ?? NO_EVENTS
}

/** Fills (and IOC cancellations) that a price event causes for the working orders of its instrument. */
export const matchPrice = (
  sim: SimulatorState,
  s: TradingState,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
): readonly EventDraft[] =>
  // Apart, because most prices find no working order, and the matching's closures would cost them an allocation each.
  s.orders.working.size === 0 ? NO_EVENTS : matchWorking(sim, s, e)
