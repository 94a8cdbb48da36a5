import * as E from 'fp-ts/lib/Either.js'
import type { Session } from '../../domain/calendar/index.js'
import type {
  BarClosed,
  Envelope,
  EventDraft,
  OrderRequested,
  SignalEmitted,
  TickReceived,
} from '../../domain/events/index.js'
import { type InstrumentKey, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { PricePaise, unsafeMoney } from '../../domain/money/index.js'
import {
  type AnyStrategy,
  describeParamsErrors,
  type SessionClock,
  type Signal,
  type SignalOrder,
  type StrategyContext,
  type StrategyRegistry,
} from '../../domain/strategies/index.js'
import { DAY_MS, IST_OFFSET_MS, type IstDate, istDateOf, istDayNumber } from '../../domain/time/index.js'
import { positionKey } from '../positions/index.js'
import { createTradingState, evolveTradingState, type TradingState } from '../state/index.js'
import { cancelRequests, orderForSignal, orderForTarget } from './execution.js'
import { createExitState, type ExitState, evolveExits, exitDecisions, restingExitChecks } from './exits.js'
import { cancelRestingExits, overfillDecisions, restingExitDecisions } from './protectiveOrders.js'
import { breachDecisions, defaultRiskRules, firstDenial, type RiskRule } from './riskRules.js'
import { acceptSubmitted, cancelRequested, modifyRequested, NO_EVENTS, SIMULATED_VENUE } from './simulatedBroker.js'
import { createSimulatorState, evolveSimulator, matchPrice, pruneSimulator, type SimulatorState } from './simulator.js'
import { canonicalJson } from './verify.js'

// The engine step: `step(state, event) -> { state, decisions }`. It folds the event into the state, then asks the
// deciders what follows from it, in a fixed order:
//   price (tick/bar) -> simulated fills -> exit rules -> strategies -> signals
//   signal -> execution -> order request -> risk rules -> denial | submission -> (simulated) acceptance
// Decisions carry the event's time and point at it through `causationId`. The driver appends them to the journal
// and feeds each back through `step`, in order (FIFO), so a live run, a backtest and a replay all walk the same path.

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export interface StrategyInstance {
  readonly strategyId: StrategyId
  readonly definition: AnyStrategy
  readonly instruments: ReadonlySet<string>
  readonly enabled: boolean
  /** The strategy's own state; plain JSON, updated in place by the strategy. */
  readonly state: unknown
}

export interface EngineState {
  readonly trading: TradingState
  readonly strategies: Map<string, StrategyInstance>
  /** Strategies that could not be started (unknown kind, bad params), with the reason. Deterministic too. */
  readonly strategyErrors: Map<string, string>
  /** The simulated broker's matching state (used when the run's broker is `simulated`). */
  readonly simulator: SimulatorState
  /** What the built-in exits track per open position. */
  readonly exits: ExitState
  /**
   * Whether any configured strategy rests its exits at the venue (derived from the trading state's configurations,
   * never snapshotted): every price of a held position asks, and almost always the answer is no.
   */
  restingExits: boolean
}

/** `EngineState.restingExits` from the configurations folded so far. */
export const anyRestingExits = (t: TradingState): boolean => {
  for (const c of t.strategies.values()) if (c.exits?.resting === true) return true
  return false
}

/** Exit rules (stop loss, take profit, square-off, ...) see every price event after fills and before strategies. */
export interface ExitRule {
  readonly name: string
  readonly onPrice: (s: EngineState, e: Envelope<TickReceived> | Envelope<BarClosed>) => readonly EventDraft[]
}

export interface EngineConfig {
  readonly strategies: StrategyRegistry
  readonly riskRules?: readonly RiskRule[]
  readonly exitRules?: readonly ExitRule[]
  /**
   * The trading calendar's sessions, for the strategies' `ctx.session`. Data, not I/O: the same calendar gives the
   * same sessions, so a replay with it decides the same. Without it `ctx.session` is undefined.
   */
  readonly sessionOn?: (date: IstDate) => Session | undefined
}

export interface StepResult {
  readonly state: EngineState
  readonly decisions: readonly EventDraft[]
}

export interface Engine {
  readonly initialState: () => EngineState
  /** Folds one event without deciding anything (for rebuilding state when decisions are already recorded). */
  readonly evolve: (s: EngineState, e: Envelope) => EngineState
  readonly step: (s: EngineState, e: Envelope) => StepResult
}

/**
 * `previousParams`: the params this strategy id was configured with before this event (the trading state has already
 * folded the new ones).
 */
const startStrategy = (config: EngineConfig, s: EngineState, e: Envelope, previousParams: unknown): void => {
  if (e.type !== 'StrategyConfigured') return
  const p = e.payload
  s.strategyErrors.delete(p.strategyId)
  const def = config.strategies.get(p.kind)
  if (def === undefined) {
    s.strategies.delete(p.strategyId)
    s.strategyErrors.set(
      p.strategyId,
      `unknown strategy kind "${p.kind}" (known: ${[...config.strategies.keys()].join(', ')})`,
    )
    return
  }
  const params = def.params.decode(p.params)
  if (E.isLeft(params)) {
    s.strategies.delete(p.strategyId)
    s.strategyErrors.set(p.strategyId, `bad params for ${p.kind}: ${describeParamsErrors(params.left)}`)
    return
  }
  const previous = s.strategies.get(p.strategyId)
  s.strategies.set(p.strategyId, {
    strategyId: p.strategyId,
    definition: def,
    instruments: new Set(p.instruments),
    enabled: p.enabled,
    // Re-configuring the same kind with the same params (to enable, disable or move it) keeps its warm state; a new
    // kind or new params start fresh, since the state may hold the old params (streak keeps `bars` and `qty` in it).
    state:
      previous !== undefined && previous.definition === def && canonicalJson(previousParams) === canonicalJson(p.params)
        ? previous.state
        : def.init(params.right, p.instruments),
  })
}

const signalDraft = (
  inst: StrategyInstance,
  instrumentKey: InstrumentKey,
  sig: Signal,
  e: Envelope,
): EventDraft<SignalEmitted> => {
  const payload: SignalEmitted['payload'] = {
    strategyId: inst.strategyId,
    instrumentKey,
    intent: sig.intent,
    confidence: sig.confidence as SignalEmitted['payload']['confidence'],
    reason: sig.reason,
  }
  if (sig.qty !== undefined) payload.qty = sig.qty as NonNullable<SignalEmitted['payload']['qty']>
  if (sig.metadata !== undefined) payload.metadata = sig.metadata
  if (sig.order !== undefined && sig.intent !== 'CANCEL') {
    const problem = orderProblem(sig.order)
    // A strategy's bug, like one that throws: the signal cannot become an event (the journal would refuse it), and
    // quietly trading it as a MARKET order would be worse.
    if (problem !== undefined) throw new Error(`strategy ${inst.strategyId} (${instrumentKey}): ${problem}`)
    payload.orderType = sig.order.type
    if (sig.order.limitPricePaise !== undefined) payload.limitPricePaise = unsafeMoney.price(sig.order.limitPricePaise)
    if (sig.order.triggerPricePaise !== undefined)
      payload.triggerPricePaise = unsafeMoney.price(sig.order.triggerPricePaise)
  }
  return { type: 'SignalEmitted', ts: e.ts, causationId: e.seq, payload }
}

/** Why a signal's order cannot be placed, or undefined: each type's prices present, whole paise, and only those. */
const orderProblem = (o: SignalOrder): string | undefined => {
  const needsLimit = o.type === 'LIMIT' || o.type === 'SL'
  const needsTrigger = o.type === 'SL' || o.type === 'SL-M'
  if (needsLimit && !PricePaise.is(o.limitPricePaise))
    return `a ${o.type} order needs limitPricePaise, a positive whole number of paise (got ${o.limitPricePaise})`
  if (!needsLimit && o.limitPricePaise !== undefined) return `a ${o.type} order takes no limitPricePaise`
  if (needsTrigger && !PricePaise.is(o.triggerPricePaise))
    return `a ${o.type} order needs triggerPricePaise, a positive whole number of paise (got ${o.triggerPricePaise})`
  if (!needsTrigger && o.triggerPricePaise !== undefined) return `a ${o.type} order takes no triggerPricePaise`
  return undefined
}

export const createEngine = (config: EngineConfig): Engine => {
  const riskRules = config.riskRules ?? defaultRiskRules
  const moveRules = riskRules.filter((r) => r.judgesMoves === true)
  const exitRules = config.exitRules ?? []

  /**
   * A strategy's moves of its orders' prices (execution.ts), each judged by the rules whose answer depends on the
   * price, as the order at its new prices for what is left of it: refused, it becomes an `OrderModifyDenied`.
   */
  const judgedMoves = (s: EngineState, decisions: readonly EventDraft[]): readonly EventDraft[] => {
    if (moveRules.length === 0 || !decisions.some((d) => d.type === 'OrderModifyRequested')) return decisions
    return decisions.map((d) => {
      if (d.type !== 'OrderModifyRequested') return d
      const o = s.trading.orders.orders.get(d.payload.orderId)
      if (o === undefined) return d
      const limitPricePaise = d.payload.limitPricePaise ?? o.limitPricePaise
      const triggerPricePaise = d.payload.triggerPricePaise ?? o.triggerPricePaise
      const req: OrderRequested['payload'] = {
        orderId: o.orderId,
        strategyId: o.strategyId,
        instrumentKey: o.instrumentKey,
        side: o.side,
        qty: unsafeMoney.qty(o.qty - o.filledQty),
        orderType: o.orderType,
        product: o.product,
        validity: o.validity,
        reason: d.payload.reason,
        ...(limitPricePaise === undefined ? {} : { limitPricePaise: unsafeMoney.price(limitPricePaise) }),
        ...(triggerPricePaise === undefined ? {} : { triggerPricePaise: unsafeMoney.price(triggerPricePaise) }),
      }
      const denial = firstDenial(moveRules, req, d.ts, s.trading)
      if (denial === undefined) return d
      return { ...d, type: 'OrderModifyDenied', payload: { orderId: o.orderId, ...denial } }
    })
  }

  const initialState = (): EngineState => ({
    trading: createTradingState(),
    strategies: new Map(),
    strategyErrors: new Map(),
    simulator: createSimulatorState(),
    exits: createExitState(),
    restingExits: false,
  })

  const evolve = (s: EngineState, e: Envelope): EngineState => {
    const previousParams =
      e.type === 'StrategyConfigured' ? s.trading.strategies.get(e.payload.strategyId)?.params : undefined
    const qtyBefore =
      e.type === 'OrderFilled'
        ? (s.trading.portfolio.positions.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))?.qty ?? 0)
        : 0
    evolveTradingState(s.trading, e)
    evolveSimulator(s.simulator, e)
    evolveExits(s.exits, s.trading, e, qtyBefore)
    if (e.type === 'StrategyConfigured') {
      startStrategy(config, s, e, previousParams)
      s.restingExits = anyRestingExits(s.trading)
    } else if (e.type === 'OrderFilled') pruneSimulator(s.simulator, s.trading, e.payload.orderId)
    return s
  }

  const simulated = (s: EngineState): boolean => s.trading.run?.broker !== 'upstox'

  // The session clock of the last IST day asked about: a bar asks once per strategy, and days change rarely.
  let clockDay = Number.NaN
  let clock: SessionClock | undefined
  const sessionClockAt = (ts: number): SessionClock | undefined => {
    const day = istDayNumber(ts)
    if (day === clockDay) return clock
    clockDay = day
    const session = config.sessionOn?.(istDateOf(ts))
    const midnight = day * DAY_MS - IST_OFFSET_MS
    clock =
      session === undefined
        ? undefined
        : { openMs: midnight + session.openSec * 1000, closeMs: midnight + session.closeSec * 1000, kind: session.kind }
    return clock
  }

  // The context a strategy is called with, refilled for each call: like the price event it is handed, it is valid
  // only during the call (docs/writing-a-strategy.md), so a backtest needs no object per bar and strategy.
  const ctx: Mutable<StrategyContext> = {
    strategyId: unsafe.strategyId('none'),
    instrumentKey: unsafe.instrumentKey('NSE_EQ|NONE'),
    positionQty: 0,
    ts: 0,
    session: undefined,
  }

  const onPrice = (
    s: EngineState,
    e: Envelope<TickReceived> | Envelope<BarClosed>,
    instrumentKey: InstrumentKey,
  ): readonly EventDraft[] => {
    let out: EventDraft[] | undefined
    // A loss or drawdown limit reached at this price halts trading first; strategies may still ask, but only
    // orders that reduce a position will pass.
    const breach = breachDecisions(s.trading, e.ts, e.seq)
    if (breach.length > 0) (out ??= []).push(...breach)
    if (simulated(s)) {
      const fills = matchPrice(s.simulator, s.trading, e)
      if (fills.length > 0) (out ??= []).push(...fills)
    }
    const exits = exitDecisions(s.exits, s.trading, e)
    if (exits.length > 0) (out ??= []).push(...exits)
    // Resting exits are checked against their position; not at a price that fills or exits, which changes what they
    // should be (the fill's own step brings them in step).
    else if (out === undefined && s.restingExits) {
      const retries = restingExitChecks(s.exits, s.trading, e, s.simulator.config.tickPaise)
      if (retries.length > 0) out = [...retries]
    }
    for (const rule of exitRules) {
      const d = rule.onPrice(s, e)
      if (d.length > 0) (out ??= []).push(...d)
    }
    for (const inst of s.strategies.values()) {
      if (!inst.enabled || !inst.instruments.has(instrumentKey)) continue
      ctx.strategyId = inst.strategyId
      ctx.instrumentKey = instrumentKey
      ctx.positionQty = s.trading.portfolio.positions.get(positionKey(inst.strategyId, instrumentKey))?.qty ?? 0
      ctx.ts = e.ts
      ctx.session = sessionClockAt(e.ts)
      const sig =
        e.type === 'BarClosed'
          ? inst.definition.onBar(inst.state, e.payload, ctx)
          : inst.definition.onTick?.(inst.state, e.payload, ctx)
      if (sig !== undefined) (out ??= []).push(signalDraft(inst, instrumentKey, sig, e))
    }
    return out ?? NO_EVENTS
  }

  const decide = (s: EngineState, e: Envelope): readonly EventDraft[] => {
    switch (e.type) {
      case 'BarClosed':
        return onPrice(s, e, e.payload.instrumentKey)
      case 'TickReceived':
        return onPrice(s, e, e.payload.instrumentKey)
      case 'SignalEmitted': {
        if (e.payload.intent === 'CANCEL') {
          const { strategyId, instrumentKey, reason } = e.payload
          // The strategy's own orders: its resting exits stay (they are the engine's, and protect the position).
          return cancelRequests(
            s.trading,
            e,
            (o) => o.strategyId === strategyId && o.instrumentKey === instrumentKey && o.protects === undefined,
            `CANCEL: ${reason}`,
          )
        }
        // A signal against an open position is an exit (recorded as one), or ignored if the strategy says so.
        const held =
          s.trading.portfolio.positions.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))?.qty ?? 0
        const opposing = (held > 0 && e.payload.intent === 'SHORT') || (held < 0 && e.payload.intent === 'LONG')
        if (!opposing) return judgedMoves(s, orderForSignal(s.trading, e))
        if (s.trading.strategies.get(e.payload.strategyId)?.exits.exitOnOpposingSignal === false) return NO_EVENTS
        const price = s.trading.portfolio.marks.get(e.payload.instrumentKey)?.markPaise ?? 0
        const exit: EventDraft[] =
          price > 0
            ? [
                {
                  type: 'ExitTriggered',
                  ts: e.ts,
                  causationId: e.seq,
                  payload: {
                    strategyId: e.payload.strategyId,
                    instrumentKey: e.payload.instrumentKey,
                    exit: 'opposing-signal',
                    reason: `${e.payload.intent} signal against a position of ${held}: ${e.payload.reason}`,
                    pricePaise: unsafeMoney.price(price),
                  },
                },
              ]
            : []
        return [...exit, ...orderForSignal(s.trading, e)]
      }
      case 'ExitTriggered': {
        // The opposing signal's own order does the work; every other exit flattens the position.
        if (e.payload.exit === 'opposing-signal') return NO_EVENTS
        const { strategyId, instrumentKey } = e.payload
        return orderForTarget(
          s.trading,
          {
            strategyId,
            instrumentKey,
            target: 0,
            reason: `FLAT (held {held}): ${e.payload.exit}: ${e.payload.reason}`,
          },
          e,
        )
      }
      case 'OrderRequested': {
        const denial = firstDenial(riskRules, e.payload, e.ts, s.trading)
        const orderId = e.payload.orderId
        if (denial !== undefined) {
          return [
            {
              type: 'OrderDenied',
              ts: e.ts,
              causationId: e.seq,
              correlationId: orderId,
              payload: { orderId, ...denial },
            },
          ]
        }
        const venue = simulated(s) ? SIMULATED_VENUE : 'upstox'
        const submitted: EventDraft = {
          type: 'OrderSubmitted',
          ts: e.ts,
          causationId: e.seq,
          correlationId: orderId,
          payload: { orderId, venue },
        }
        // An order of the strategy's own (a signal's, an exit's) that reduces or reverses the position first cancels the
        // position's resting exits, so that it and they can never both fill (docs/exits.md). Here, once it passed the
        // rules, rather than when its signal asked: the exits a fill of the same cascade asked for are folded by now.
        if (e.payload.protects !== undefined) return [submitted]
        const { strategyId, instrumentKey, side } = e.payload
        const held = s.trading.portfolio.positions.get(positionKey(strategyId, instrumentKey))?.qty ?? 0
        if (held === 0 || (side === 'BUY' ? 1 : -1) === Math.sign(held)) return [submitted]
        const cancels = cancelRestingExits(
          s.trading,
          strategyId,
          instrumentKey,
          e,
          `resting exits stand aside for order ${orderId}`,
        )
        return cancels.length === 0 ? [submitted] : [...cancels, submitted]
      }
      case 'OrderSubmitted':
        return simulated(s) ? acceptSubmitted(e) : NO_EVENTS
      case 'OrderFilled': {
        const breach = breachDecisions(s.trading, e.ts, e.seq)
        const { strategyId, instrumentKey } = e.payload
        const tracked = s.exits.tracked.get(positionKey(strategyId, instrumentKey))
        // A position left past flat by a resting exit gets no exits of its own while it is flattened.
        if (tracked?.overfilled === true) return breach
        const resting =
          overfillDecisions(s.trading, e) ??
          restingExitDecisions(s.trading, strategyId, instrumentKey, e, s.simulator.config.tickPaise, tracked?.best)
        return resting.length === 0 ? breach : breach.length === 0 ? resting : [...breach, ...resting]
      }
      case 'OrderExpired': {
        // A resting exit is a DAY order: a later day's first price expires it. When the position's last one has
        // expired, they are placed again at once (before that, the others' expiries are still to be folded).
        const o = s.trading.orders.orders.get(e.payload.orderId)
        if (o?.protects === undefined) return NO_EVENTS
        for (const w of s.trading.orders.working.values()) {
          if (w.protects !== undefined && w.strategyId === o.strategyId && w.instrumentKey === o.instrumentKey)
            return NO_EVENTS
        }
        return restingExitDecisions(
          s.trading,
          o.strategyId,
          o.instrumentKey,
          e,
          s.simulator.config.tickPaise,
          s.exits.tracked.get(positionKey(o.strategyId, o.instrumentKey))?.best,
        )
      }
      case 'OrderCancelRequested':
        return simulated(s) ? cancelRequested(s.trading, e) : NO_EVENTS
      case 'OrderModifyRequested':
        return simulated(s) ? modifyRequested(s.trading, e) : NO_EVENTS
      case 'KillSwitchEngaged': {
        // Engaging a switch also cancels the working orders it covers. A rule's switch is reduce-only, so the
        // resting exits, which only reduce, stay; an operator's halts everything, and they are placed again when it
        // is released.
        const { scope, target, source } = e.payload
        return cancelRequests(
          s.trading,
          e,
          (o) =>
            (source === 'operator' || o.protects === undefined) &&
            (scope === 'global' ||
              (scope === 'strategy' && o.strategyId === target) ||
              (scope === 'instrument' && o.instrumentKey === target)),
          `kill switch engaged: ${e.payload.reason}`,
        )
      }
      case 'KillSwitchReleased': {
        let out: EventDraft[] | undefined
        for (const t of s.exits.tracked.values()) {
          if (t.overfilled === true) continue
          const d = restingExitDecisions(
            s.trading,
            t.strategyId,
            t.instrumentKey,
            e,
            s.simulator.config.tickPaise,
            t.best,
          )
          if (d.length > 0) (out ??= []).push(...d)
        }
        return out ?? NO_EVENTS
      }
      default:
        return NO_EVENTS
    }
  }

  const step = (s: EngineState, e: Envelope): StepResult => {
    evolve(s, e)
    return { state: s, decisions: decide(s, e) }
  }

  return { initialState, evolve, step }
}
