import type { BarClosed, Envelope, EventDraft, ExitConfig, ExitKind, TickReceived } from '../../domain/events/index.js'
import { type InstrumentKey, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { istMinuteOfDay, parseHhmm } from '../../domain/time/index.js'
import { positionKey } from '../positions/index.js'
import { blockingKillSwitch } from '../risk/index.js'
import type { TradingState } from '../state/index.js'
import { pendingQty } from './execution.js'
import {
  orphanedRestingExits,
  PROTECTIVE_RETRY_MS,
  restingExitDecisions,
  restingExitsInStep,
  trailingStopLags,
} from './protectiveOrders.js'
import { NO_EVENTS } from './simulatedBroker.js'

// The built-in exits (docs/exits.md): stop loss and take profit against the average entry price, a trailing stop
// against the best price since entry, the intraday square-off (15:15 IST unless configured), and exit on an
// opposing signal. They are evaluated on each price event's close (a tick's price, a bar's close), after the
// simulated fills and before the strategies, and each fires as an `ExitTriggered` event with its reason; execution
// then asks for the order that flattens the position. With `resting`, the stop (stop loss and trailing stop, one
// order) and the take profit are orders at the venue instead (protectiveOrders.ts), and only the square-off is
// checked here.

export const DEFAULT_SQUARE_OFF = '15:15'
const DEFAULT_SQUARE_OFF_MINUTE = 15 * 60 + 15

export interface Tracked {
  readonly strategyId: StrategyId
  readonly instrumentKey: InstrumentKey
  /** Highest price since a long was opened, lowest since a short was. */
  best: number
  /** When a resting exit our own risk rules denied is to be asked for again; undefined when none waits. */
  retryFromMs?: number
  /**
   * Set when the position is what a resting exit left past flat (an `overfill` exit fired): it is flattened, asked
   * again at each price until an order that flattens it works, and no exits rest for it.
   */
  overfilled?: true
}

/** Per open position, the best price since entry (for the trailing stop). Part of the engine state. */
export interface ExitState {
  /** By position key, in the order positions were first tracked (the order exits fire in). */
  readonly tracked: Map<string, Tracked>
  /**
   * The same entries by instrument, each list in `tracked`'s order: a price looks only at its own instrument's
   * positions instead of walking every tracked one (most of the exits' cost per bar). Derived, never snapshotted.
   */
  readonly byInstrument: Map<string, { readonly key: string; readonly tracked: Tracked }[]>
}

export const createExitState = (): ExitState => ({ tracked: new Map(), byInstrument: new Map() })

/** Tracks (or re-tracks) the position `key`; a position already tracked keeps its place in the order. */
const track = (x: ExitState, key: string, t: Tracked): void => {
  x.tracked.set(key, t)
  let list = x.byInstrument.get(t.instrumentKey)
  if (list === undefined) x.byInstrument.set(t.instrumentKey, (list = []))
  const at = list.findIndex((l) => l.key === key)
  if (at >= 0) list[at] = { key, tracked: t }
  else list.push({ key, tracked: t })
}

const untrack = (x: ExitState, key: string): void => {
  const t = x.tracked.get(key)
  if (t === undefined) return
  x.tracked.delete(key)
  const list = x.byInstrument.get(t.instrumentKey)
  if (list === undefined) return
  const at = list.findIndex((l) => l.key === key)
  if (at >= 0) list.splice(at, 1)
  if (list.length === 0) x.byInstrument.delete(t.instrumentKey)
}

/** An exit state from snapshotted entries (position key -> tracked), in their order. */
export const exitStateOf = (entries: Iterable<readonly [string, Tracked]>): ExitState => {
  const x = createExitState()
  for (const [k, t] of entries) track(x, k, t)
  return x
}

/** Minutes after IST midnight of the strategy's square-off, or undefined when switched off. */
export const squareOffMinute = (exits: ExitConfig | undefined): number | undefined => {
  const at = exits?.squareOff ?? DEFAULT_SQUARE_OFF
  // Asked on every price event of an open position: the usual answer costs no parse.
  if (at === DEFAULT_SQUARE_OFF) return DEFAULT_SQUARE_OFF_MINUTE
  if (at === 'off') return undefined
  const secs = parseHhmm(at)
  return secs === undefined ? undefined : secs / 60
}

/**
 * Folds fills (a position opened from flat, or flipped, starts tracking at its fill price; a closed one stops) and
 * prices (moving each tracked position's best price). `qtyBefore` is the position before the fill.
 */
export const evolveExits = (x: ExitState, s: TradingState, e: Envelope, qtyBefore: number): ExitState => {
  switch (e.type) {
    case 'OrderFilled': {
      const key = positionKey(e.payload.strategyId, e.payload.instrumentKey)
      const after = s.portfolio.positions.get(key)?.qty ?? 0
      if (after === 0) untrack(x, key)
      else if (qtyBefore === 0 || Math.sign(after) !== Math.sign(qtyBefore)) {
        track(x, key, {
          strategyId: e.payload.strategyId,
          instrumentKey: e.payload.instrumentKey,
          best: e.payload.fillPricePaise,
        })
      }
      return x
    }
    case 'ExitTriggered': {
      if (e.payload.exit !== 'overfill') return x
      const t = x.tracked.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))
      if (t !== undefined) t.overfilled = true
      return x
    }
    case 'OrderRequested': {
      if (e.payload.protects === undefined) return x
      const t = x.tracked.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))
      if (t !== undefined) delete t.retryFromMs
      return x
    }
    case 'OrderDenied': {
      const o = s.orders.orders.get(e.payload.orderId)
      if (o?.protects === undefined) return x
      const t = x.tracked.get(positionKey(o.strategyId, o.instrumentKey))
      if (t !== undefined) t.retryFromMs = e.ts + PROTECTIVE_RETRY_MS
      return x
    }
    case 'TickReceived':
    case 'BarClosed': {
      const list = x.byInstrument.get(e.payload.instrumentKey)
      if (list === undefined) return x
      const price = e.type === 'TickReceived' ? e.payload.ltpPaise : e.payload.closePaise
      for (let i = 0; i < list.length; i++) {
        const { key, tracked: t } = list[i]!
        const qty = s.portfolio.positions.get(key)?.qty ?? 0
        if (qty > 0 ? price > t.best : qty < 0 && price < t.best) t.best = price
      }
      return x
    }
    default:
      return x
  }
}

const pct = (n: number) => `${Math.round(n * 100) / 100}%`
const inr = (p: number) => (p / 100).toFixed(2)

/** The exits a price can fire (the opposing signal fires from a signal, not a price). */
type PriceExit = Extract<ExitKind, 'stop-loss' | 'trailing-stop' | 'take-profit' | 'square-off'>

/** The exits that fire at this price event. */
export const exitDecisions = (
  x: ExitState,
  s: TradingState,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
): readonly EventDraft[] => {
  const list = x.byInstrument.get(e.payload.instrumentKey)
  if (list === undefined) return NO_EVENTS
  const price = e.type === 'TickReceived' ? e.payload.ltpPaise : e.payload.closePaise
  let minute = -1
  let out: EventDraft[] | undefined
  for (let i = 0; i < list.length; i++) {
    const { key, tracked: t } = list[i]!
    const pos = s.portfolio.positions.get(key)
    if (pos === undefined || pos.qty === 0) continue
    if (t.overfilled === true) {
      // Left past flat by a resting exit: its flatten order is working, or was denied (the order rate) and is asked
      // for again here.
      if (pos.qty + pendingQty(s, t.strategyId, t.instrumentKey) !== 0)
        (out ??= []).push(
          exitAt(
            t,
            'overfill',
            `still ${pos.qty} past flat after a resting exit overfilled: flattened again`,
            price,
            e,
          ),
        )
      continue
    }
    const cfg = s.strategies.get(t.strategyId)?.exits
    const long = pos.qty > 0
    const entry = pos.costPaise / pos.qty
    const move = ((price - entry) / entry) * 100 * (long ? 1 : -1)
    const fromBest = ((price - t.best) / t.best) * 100 * (long ? 1 : -1)
    // Which exit fires is plain arithmetic on every price of an open position; the order book scan and the reason's
    // text are paid for only when one does.
    let exit: PriceExit | undefined
    // Resting, the stop (stop loss and trailing stop, one order) and the target are orders at the venue: they fill
    // there, not here.
    const onClose = cfg?.resting !== true
    if (onClose && cfg?.stopLossPct !== undefined && -move >= cfg.stopLossPct) exit = 'stop-loss'
    else if (onClose && cfg?.trailingStopPct !== undefined && -fromBest >= cfg.trailingStopPct) exit = 'trailing-stop'
    else if (onClose && cfg?.takeProfitPct !== undefined && move >= cfg.takeProfitPct) exit = 'take-profit'
    else {
      const sq = squareOffMinute(cfg)
      if (sq !== undefined) {
        if (minute < 0) minute = istMinuteOfDay(e.ts)
        if (minute >= sq) exit = 'square-off'
      }
    }
    if (exit === undefined) continue
    // An exit already asked for (or any order that flattens) is working: do not ask again.
    if (pos.qty + pendingQty(s, t.strategyId, t.instrumentKey) === 0) continue
    let reason: string
    switch (exit) {
      case 'stop-loss':
        reason = `${inr(price)} is ${pct(-move)} against the ${inr(entry)} entry (stop ${pct(cfg!.stopLossPct!)})`
        break
      case 'trailing-stop':
        reason = `${inr(price)} is ${pct(-fromBest)} off the best ${inr(t.best)} (trail ${pct(cfg!.trailingStopPct!)})`
        break
      case 'take-profit':
        reason = `${inr(price)} is ${pct(move)} beyond the ${inr(entry)} entry (target ${pct(cfg!.takeProfitPct!)})`
        break
      case 'square-off':
        reason = `intraday square-off at ${cfg?.squareOff ?? DEFAULT_SQUARE_OFF} IST`
        break
      default: {
        const never: never = exit
        throw new Error(`unhandled exit ${String(never)}`)
      }
    }
    ;(out ??= []).push(exitAt(t, exit, reason, price, e))
  }
  return out ?? NO_EVENTS
}

/** The exit `exit` of the tracked position, fired at `price` of the price event `e`. */
const exitAt = (
  t: Tracked,
  exit: ExitKind,
  reason: string,
  price: number,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
): EventDraft => ({
  type: 'ExitTriggered',
  ts: e.ts,
  causationId: unsafe.seq(e.seq),
  payload: {
    strategyId: t.strategyId,
    instrumentKey: t.instrumentKey,
    exit,
    reason,
    pricePaise: unsafeMoney.price(price),
  },
})

/**
 * The resting exits brought in step at this price, for each position of the instrument whose exits rest: placed again
 * after a day's DAY orders expired, after a halt, or a second after our own risk rules denied one (the order rate
 * window had filled, say); replaced when two fills in one cascade left them out of step. Not while an operator's kill
 * switch halts the position: they would only be denied.
 */
export const restingExitChecks = (
  x: ExitState,
  s: TradingState,
  e: Envelope<TickReceived> | Envelope<BarClosed>,
  tickPaise: number,
): readonly EventDraft[] => {
  const orphans = orphanedRestingExits(s, e.payload.instrumentKey, e)
  const list = x.byInstrument.get(e.payload.instrumentKey)
  if (list === undefined) return orphans
  let out: EventDraft[] | undefined = orphans.length === 0 ? undefined : [...orphans]
  for (let i = 0; i < list.length; i++) {
    const { key, tracked: t } = list[i]!
    // No exits rest for a position a resting exit left past flat: it is being flattened (exitDecisions).
    if (t.overfilled === true) continue
    if (t.retryFromMs !== undefined && e.ts < t.retryFromMs) continue
    if (
      restingExitsInStep(s, t.strategyId, t.instrumentKey, key) &&
      !trailingStopLags(s, t.strategyId, t.instrumentKey, key, t.best, tickPaise, e.ts)
    )
      continue
    if (blockingKillSwitch(s.risk, t.strategyId, t.instrumentKey)?.source === 'operator') continue
    const d = restingExitDecisions(s, t.strategyId, t.instrumentKey, e, tickPaise, t.best)
    if (d.length > 0) (out ??= []).push(...d)
  }
  return out ?? NO_EVENTS
}
