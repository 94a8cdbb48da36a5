import type {
  Envelope,
  EventDraft,
  ExitConfig,
  OrderFilled,
  OrderRequested,
  OrderType,
  ProtectiveExit,
  Side,
} from '../../domain/events/index.js'
import { type InstrumentKey, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { OrderView } from '../orders/index.js'
import { positionKey } from '../positions/index.js'
import type { TradingState } from '../state/index.js'
import { canModify, pendingQty } from './execution.js'
import { NO_EVENTS } from './simulatedBroker.js'

// Resting exits (docs/exits.md): with `exits.resting`, a position's stop loss, trailing stop and take profit are orders
// at the venue instead of checks on each close. When the position opens, the engine asks for an SL-M (the stop: the
// tighter of `stopLossPct` against the average entry and `trailingStopPct` against the best price since entry) and a
// LIMIT (the target, `takeProfitPct` beyond the entry) for the whole position; they fill where the price reaches them
// (under the `touch` fill model in a backtest, on the bar's documented path). As new best prices come, a trailing
// stop is moved (`OrderModifyRequested`), never replaced, so it keeps working meanwhile.
//
// After every fill of the position, the resting exits are brought in step with it: flat, they are cancelled (one
// cancels the other); resized, the ones that no longer match are cancelled and placed again for the new quantity.
// A strategy's own order that reduces the position first cancels them, so the two can never both fill: the exits
// stand aside until that order is done. At every other price they are checked against the position too: a resting
// exit is a DAY order, so one that expired is placed again at the next price of a later day; one that our own risk
// rules denied is tried again at the first price a second later; one an operator's halt cancelled, at its release.

/** How long after a resting exit is denied it is asked for again (the order rate rule's window). */
export const PROTECTIVE_RETRY_MS = 1000

/** The strategy's exits, if they rest at the venue and there is something to rest. */
export const restingExitsOf = (s: TradingState, strategyId: string): ExitConfig | undefined => {
  const cfg = s.strategies.get(strategyId)?.exits
  return cfg?.resting === true &&
    (cfg.stopLossPct !== undefined || cfg.takeProfitPct !== undefined || cfg.trailingStopPct !== undefined)
    ? cfg
    : undefined
}

/** Whether a strategy's stop rests at the venue (a stop loss, a trailing stop, or both in one order). */
const hasStop = (cfg: ExitConfig): boolean => cfg.stopLossPct !== undefined || cfg.trailingStopPct !== undefined

interface Wanted {
  readonly protects: ProtectiveExit
  readonly orderType: OrderType
  readonly side: Side
  readonly qty: number
  readonly pricePaise: number
  /**
   * What set the price, for the order's reason (written only when it is placed or moved): a percent from the average
   * entry, or (a trailing stop) from the best price since entry.
   */
  readonly pct: number
  readonly from: 'entry' | 'best'
  readonly fromPaise: number
}

const inr = (p: number) => (p / 100).toFixed(2)

/** `paise` on the tick grid (nearest tick, at least one tick): the venue refuses a price off it. */
const onTick = (paise: number, tickPaise: number): number =>
  Math.max(tickPaise, Math.round(paise / tickPaise) * tickPaise)

/**
 * The resting exits a position of `qty` (signed, not 0) at the average entry `entryPaise` should have. The stop is one
 * SL-M at the tighter of the stop loss (from the entry) and the trailing stop (from `bestPaise`, the best price since
 * entry); the trailing one moves it as the best price does (`OrderModifyRequested`), never back.
 */
const wantedFor = (
  cfg: ExitConfig,
  qty: number,
  entryPaise: number,
  bestPaise: number,
  tickPaise: number,
): Wanted[] => {
  const long = qty > 0
  const side: Side = long ? 'SELL' : 'BUY'
  const against = long ? -1 : 1
  const wanted: Wanted[] = []
  if (hasStop(cfg)) {
    const fixed =
      cfg.stopLossPct === undefined
        ? undefined
        : onTick(entryPaise * (1 + (against * cfg.stopLossPct) / 100), tickPaise)
    const trailing =
      cfg.trailingStopPct === undefined
        ? undefined
        : onTick(bestPaise * (1 + (against * cfg.trailingStopPct) / 100), tickPaise)
    // The tighter wins; on a tie, the stop loss (the level the position opened with).
    const trails = trailing !== undefined && (fixed === undefined || (long ? trailing > fixed : trailing < fixed))
    wanted.push({
      protects: 'stop-loss',
      orderType: 'SL-M',
      side,
      qty: Math.abs(qty),
      pricePaise: trails ? trailing : fixed!,
      pct: trails ? cfg.trailingStopPct! : cfg.stopLossPct!,
      from: trails ? 'best' : 'entry',
      fromPaise: trails ? bestPaise : entryPaise,
    })
  }
  if (cfg.takeProfitPct !== undefined) {
    const price = onTick(entryPaise * (1 - (against * cfg.takeProfitPct) / 100), tickPaise)
    wanted.push({
      protects: 'take-profit',
      orderType: 'LIMIT',
      side,
      qty: Math.abs(qty),
      pricePaise: price,
      pct: cfg.takeProfitPct,
      from: 'entry',
      fromPaise: entryPaise,
    })
  }
  return wanted
}

/** The position's working resting exits that are not already being cancelled, in the order they were asked for. */
const restingOf = (s: TradingState, strategyId: string, instrumentKey: string): OrderView[] => {
  const out: OrderView[] = []
  for (const o of s.orders.working.values()) {
    if (o.protects === undefined || o.status === 'pending_cancel') continue
    if (o.strategyId === strategyId && o.instrumentKey === instrumentKey) out.push(o)
  }
  return out
}

/** `at`: how the price reads ("at 980.00", "moved to 1029.00"). */
const reasonOf = (w: Wanted, at = 'at'): string => {
  // A SELL protects a long: its stop is below the entry (or best), its target above.
  const below = (w.protects === 'stop-loss') === (w.side === 'SELL')
  const exit = w.from === 'best' ? 'trailing-stop' : w.protects
  const basis = w.from === 'best' ? `best ${inr(w.fromPaise)}` : `${inr(w.fromPaise)} entry`
  return `${exit}: resting ${w.orderType} ${at} ${inr(w.pricePaise)}, ${w.pct}% ${below ? 'below' : 'above'} the ${basis}`
}

/** Whether `o` is for `w`'s side and size (its price may differ). */
const sized = (o: OrderView, w: Wanted): boolean => o.side === w.side && o.qty - o.filledQty === w.qty

const priceOf = (o: OrderView, w: Wanted): number | undefined =>
  w.orderType === 'SL-M' ? o.triggerPricePaise : o.limitPricePaise

const matches = (o: OrderView, w: Wanted): boolean => sized(o, w) && priceOf(o, w) === w.pricePaise

const cancelOf = (o: OrderView, e: Envelope, reason: string): EventDraft => ({
  type: 'OrderCancelRequested',
  ts: e.ts,
  causationId: e.seq,
  correlationId: o.orderId,
  payload: { orderId: o.orderId, reason },
})

/**
 * Cancel requests for the position's resting exits, caused by `e` (an order of the strategy's own that reduces the
 * position, an exit that flattens it).
 */
export const cancelRestingExits = (
  s: TradingState,
  strategyId: string,
  instrumentKey: string,
  e: Envelope,
  reason: string,
): readonly EventDraft[] => {
  const resting = restingOf(s, strategyId, instrumentKey)
  return resting.length === 0 ? NO_EVENTS : resting.map((o) => cancelOf(o, e, reason))
}

/**
 * Deterministic and at most 40 characters (the Upstox `tag` limit), distinct from the strategy's own order ids
 * (`execution.ts`): the run, the seq of the event that asks, and the exit.
 */
const protectiveOrderId = (s: TradingState, seq: number, protects: ProtectiveExit): string =>
  `${(s.run?.runId ?? 'run').slice(0, 24)}-${seq}-${protects === 'stop-loss' ? 'SL' : 'TP'}`

/**
 * Cancel requests for resting exits of the instrument whose position is flat: left over when two fills folded in one
 * step closed it (the position is no longer tracked, so nothing else would look at them).
 */
export const orphanedRestingExits = (s: TradingState, instrumentKey: string, e: Envelope): readonly EventDraft[] => {
  let out: EventDraft[] | undefined
  for (const o of s.orders.working.values()) {
    if (o.protects === undefined || o.instrumentKey !== instrumentKey || o.status === 'pending_cancel') continue
    if ((s.portfolio.positions.get(positionKey(o.strategyId, o.instrumentKey))?.qty ?? 0) !== 0) continue
    ;(out ??= []).push(cancelOf(o, e, `${o.protects}: the position is flat`))
  }
  return out ?? NO_EVENTS
}

/**
 * What a resting exit's fill that took its position past flat asks for, or undefined when it did not: the rest of the
 * position's resting exits cancelled, and an `overfill` exit that flattens what is past flat (execution then asks for
 * the MARKET order). The simulated venue never fills one past flat; Upstox can, when a stop and its target both fill
 * in the moment before the other's cancel lands (NSE equity orders cannot be reduce-only).
 */
export const overfillDecisions = (s: TradingState, e: Envelope<OrderFilled>): readonly EventDraft[] | undefined => {
  const f = e.payload
  const o = s.orders.orders.get(f.orderId)
  if (o?.protects === undefined) return undefined
  const after = s.portfolio.positions.get(positionKey(f.strategyId, f.instrumentKey))?.qty ?? 0
  // An exit's fill reduces: a position left on the fill's own side is past flat by all of it.
  if (after === 0 || Math.sign(after) !== (f.side === 'BUY' ? 1 : -1)) return undefined
  return [
    ...cancelRestingExits(s, f.strategyId, f.instrumentKey, e, `${o.protects}: the position went past flat`),
    {
      type: 'ExitTriggered',
      ts: e.ts,
      causationId: e.seq,
      payload: {
        strategyId: f.strategyId,
        instrumentKey: f.instrumentKey,
        exit: 'overfill',
        reason: `the ${o.protects} ${f.side} ${f.fillQty} at ${inr(f.fillPricePaise)} filled past flat: ${after} to flatten`,
        pricePaise: f.fillPricePaise,
      },
    },
  ]
}

/**
 * Whether the position's resting exits look in step with it, without working out their prices: one of each kind
 * configured, each for the whole position. Between fills (which bring them in step) only their number can drift: an
 * expiry, a denial, a halt, or two fills in one cascade. What every price of a held position asks first.
 */
export const restingExitsInStep = (
  s: TradingState,
  strategyId: string,
  instrumentKey: string,
  key = positionKey(strategyId, instrumentKey),
): boolean => {
  const cfg = restingExitsOf(s, strategyId)
  if (cfg === undefined) return true
  const qty = s.portfolio.positions.get(key)?.qty ?? 0
  let stops = 0
  let targets = 0
  let pending = 0
  for (const o of s.orders.working.values()) {
    if (o.strategyId !== strategyId || o.instrumentKey !== instrumentKey) continue
    if (o.protects === undefined) {
      pending += o.side === 'BUY' ? o.qty - o.filledQty : o.filledQty - o.qty
      continue
    }
    if (o.status === 'pending_cancel') continue
    if (o.qty - o.filledQty !== Math.abs(qty)) return false
    if (o.protects === 'stop-loss') stops++
    else targets++
  }
  // While an order of the strategy's own reduces the position, the resting exits stand aside: none should work.
  if (pending !== 0 && Math.sign(pending) !== Math.sign(qty)) return stops + targets === 0
  return stops === (hasStop(cfg) ? 1 : 0) && targets === (cfg.takeProfitPct === undefined ? 0 : 1)
}

/**
 * Whether the position's trailing stop rests behind where the best price since entry puts it, and can be moved now:
 * what every price of a held position with a resting trailing stop asks once its exits are in step.
 */
export const trailingStopLags = (
  s: TradingState,
  strategyId: string,
  instrumentKey: string,
  key: string,
  bestPaise: number,
  tickPaise: number,
  ts: number,
): boolean => {
  const cfg = restingExitsOf(s, strategyId)
  if (cfg?.trailingStopPct === undefined) return false
  const pos = s.portfolio.positions.get(key)
  if (pos === undefined || pos.qty === 0) return false
  let stop: OrderView | undefined
  for (const o of s.orders.working.values()) {
    if (o.protects !== 'stop-loss' || o.status === 'pending_cancel') continue
    if (o.strategyId === strategyId && o.instrumentKey === instrumentKey) {
      stop = o
      break
    }
  }
  if (stop === undefined || !canModify(stop, ts)) return false
  const w = wantedFor(cfg, pos.qty, pos.costPaise / pos.qty, bestPaise, tickPaise)[0]!
  return sized(stop, w) && tighter(w, stop.triggerPricePaise)
}

/**
 * Whether `w`'s stop is tighter than `trigger` (higher for a long's SELL stop). A working stop is only ever moved
 * tighter: the level it should have can also move the other way by a tick when a partial fill of it rounds the average
 * entry of what is left, and loosening a stop at the venue is never what a trader wants from a trailing one.
 */
const tighter = (w: Wanted, trigger: number | undefined): boolean =>
  trigger === undefined || (w.side === 'SELL' ? w.pricePaise > trigger : w.pricePaise < trigger)

/**
 * What brings the position's resting exits in step with it, caused by `e`: cancel those that no longer fit (all of
 * them when it is flat), ask for those missing. Nothing when the strategy's exits do not rest, or while an order of
 * its own that reduces the position is working.
 */
export const restingExitDecisions = (
  s: TradingState,
  strategyId: StrategyId,
  instrumentKey: InstrumentKey,
  e: Envelope,
  tickPaise: number,
  /** The best price since entry (the exits' tracking); the average entry when not tracked. */
  bestPaise: number | undefined,
): readonly EventDraft[] => {
  const cfg = restingExitsOf(s, strategyId)
  const resting = restingOf(s, strategyId, instrumentKey)
  if (cfg === undefined && resting.length === 0) return NO_EVENTS
  const pos = s.portfolio.positions.get(positionKey(strategyId, instrumentKey))
  const qty = pos?.qty ?? 0
  if (qty === 0 || cfg === undefined) {
    const why = qty === 0 ? 'the position is flat' : 'the strategy no longer rests its exits'
    return resting.map((o) => cancelOf(o, e, `${o.protects}: ${why}`))
  }
  const pending = pendingQty(s, strategyId, instrumentKey)
  if (pending !== 0 && Math.sign(pending) !== Math.sign(qty))
    return resting.length === 0
      ? NO_EVENTS
      : resting.map((o) => cancelOf(o, e, `${o.protects}: stands aside for the strategy's own order`))
  const out: EventDraft[] = []
  const entry = pos!.costPaise / qty
  const wanted = wantedFor(cfg, qty, entry, bestPaise ?? entry, tickPaise)
  for (const o of resting) {
    const w = wanted.find((w) => w.protects === o.protects)
    if (w === undefined) out.push(cancelOf(o, e, `${o.protects}: no longer configured`))
  }
  for (const w of wanted) {
    const mine = resting.filter((o) => o.protects === w.protects)
    if (mine.length === 1 && matches(mine[0]!, w)) continue
    // A trailing stop of the right size is moved (tighter only), not replaced: it keeps working at the venue meanwhile.
    if (cfg.trailingStopPct !== undefined && w.protects === 'stop-loss' && mine.length === 1 && sized(mine[0]!, w)) {
      const o = mine[0]!
      if (canModify(o, e.ts) && tighter(w, o.triggerPricePaise))
        out.push({
          type: 'OrderModifyRequested',
          ts: e.ts,
          causationId: e.seq,
          correlationId: o.orderId,
          payload: {
            orderId: o.orderId,
            triggerPricePaise: unsafeMoney.price(w.pricePaise),
            reason: reasonOf(w, 'moved to'),
          },
        })
      continue
    }
    for (const o of mine) out.push(cancelOf(o, e, `${w.protects}: replaced for a position of ${qty}`))
    const orderId = unsafe.orderId(protectiveOrderId(s, e.seq, w.protects))
    const payload: OrderRequested['payload'] = {
      orderId,
      strategyId,
      instrumentKey,
      side: w.side,
      qty: unsafeMoney.qty(w.qty),
      orderType: w.orderType,
      product: s.strategies.get(strategyId)?.product ?? 'I',
      validity: 'DAY',
      reason: reasonOf(w),
      protects: w.protects,
    }
    if (w.orderType === 'SL-M') payload.triggerPricePaise = unsafeMoney.price(w.pricePaise)
    else payload.limitPricePaise = unsafeMoney.price(w.pricePaise)
    out.push({ type: 'OrderRequested', ts: e.ts, causationId: e.seq, correlationId: orderId, payload })
  }
  return out.length === 0 ? NO_EVENTS : out
}
