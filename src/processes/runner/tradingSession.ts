import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import {
  type BrokerError,
  type BrokerOrderEvent,
  describeBrokerError,
  type TrackedOrder,
  type UpstoxBroker,
} from '../../adapters/upstox/index.js'
import type { TickPayload } from '../../adapters/upstoxFeed/index.js'
import type { TradingCalendar } from '../../domain/calendar/index.js'
import { equityCharges, scheduleOn, UPSTOX_EQUITY_SCHEDULES } from '../../domain/charges/index.js'
import type { Envelope, EventDraft, EventOfType, FeedStatusChanged, OrderRequested } from '../../domain/events/index.js'
import { type OrderId, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { OperatorCommand } from '../../domain/operator/index.js'
import { istDateOf, MINUTE_MS } from '../../domain/time/index.js'
import type { Journal, JournalError } from '../../journal/index.js'
import {
  type BarDraft,
  createBarAggregator,
  decideOperatorCommand,
  type Engine,
  type EngineState,
} from '../../projections/index.js'
import { createLiveDriver, type NoManifest } from '../drivers/index.js'

// A live or paper trading session wired together: feed ticks -> 1-minute bars (by exchange time) -> the engine
// through the live driver (journal first, effects after) -> the broker. With an Upstox broker, submitted orders are
// placed through the adapter (idempotent by tag), and the venue's reports come back by polling as inputs; without
// one (paper) the engine's in-loop simulator fills against the same live ticks.
//
// Inputs recorded here and where their time comes from:
//   TickReceived       the exchange's last-trade time (`lttMs`); snapshot ticks (`initial_feed`) are recorded but
//                      build no bar, and one that repeats a trade already seen is dropped
//   BarClosed          the bar's close time; a bar closes on the first tick past its minute, or once the feed's
//                      server time (`currentTs`, the exchange's clock, which a replaying sandbox runs fast) is
//                      `barGraceMs` past the minute (a tick later than that is counted late, not put in the bar);
//                      the minute in which the session first sees an instrument trade gets no bar unless that trade
//                      opened the minute (the session missed whatever traded before it)
//   broker reports     when they arrived by the feed's clock (the wall clock before the first frame):
//                      OrderAccepted/Rejected/Updated/Filled/Cancelled, and a kill switch the session engages
// Replaying the journal re-derives every decision from these inputs; nothing here is re-run on replay.

export interface TradingSessionOptions {
  readonly journal: Journal
  readonly engine: Engine
  readonly state: EngineState
  readonly calendar: TradingCalendar
  /** Upstox (live). Absent: paper trading, the engine's simulated broker fills. */
  readonly broker?: UpstoxBroker
  readonly log: Logger
  readonly nowMs: () => number
  /** How often working orders are reconciled with the venue; default 1000 ms. */
  readonly pollMs?: number
  /** How long after a minute ends its bar waits for a late tick before the feed's clock closes it; default 2000. */
  readonly barGraceMs?: number
  /** How long `stop()` keeps polling for the last working orders; default 5000 ms. */
  readonly settleMs?: number
  /** Estimate Upstox charges on live fills from the dated table (Upstox's trade rows carry none); default true. */
  readonly estimateCharges?: boolean
  /** Called with each durable cascade (input first): for progress displays and latency probes. */
  readonly onCascade?: (cascade: readonly Envelope[]) => void
}

export interface TradingSessionCounters {
  readonly ticks: number
  readonly staleSnapshots: number
  readonly bars: number
  /** Bars left out because the session joined their minute late (see `closeBars`). */
  readonly partialBars: number
  readonly ordersPlaced: number
  readonly brokerReports: number
  readonly brokerErrors: number
  /** Pushes from the portfolio stream that asked for a reconcile at once (`nudge`). */
  readonly nudges: number
}

export type SessionError = JournalError | NoManifest

export const createTradingSession = (o: TradingSessionOptions) => {
  const log = o.log
  const driver = createLiveDriver({ journal: o.journal, engine: o.engine, state: o.state, effects: (d) => effects(d) })
  const bars = createBarAggregator({ sessionOn: o.calendar.sessionOn })
  const lastLtt = new Map<string, number>()
  const requests = new Map<OrderId, OrderRequested['payload']>()
  /** The seq of each order's latest journalled event: what a broker report about it is caused by. */
  const latestSeq = new Map<OrderId, number>()
  let tracked = new Map<OrderId, TrackedOrder>()
  let failure: SessionError | undefined
  let polling = false
  /** A nudge came while a poll ran: poll once more when it ends, so the update it announced is not missed. */
  let pollAgain = false
  let timer: ReturnType<typeof setInterval> | undefined
  /** The feed's server time (the exchange's clock; a replaying sandbox's market time), 0 before the first frame. */
  let serverTs = 0
  /**
   * The time of inputs that are not market data (broker reports, the end of the run): the feed's clock once there is
   * one, so a session's days and its daily risk counters follow one clock even against a replaying sandbox.
   */
  const eventTime = (): number => (serverTs > 0 ? serverTs : o.nowMs())
  const counters = {
    ticks: 0,
    staleSnapshots: 0,
    bars: 0,
    partialBars: 0,
    ordersPlaced: 0,
    brokerReports: 0,
    brokerErrors: 0,
    nudges: 0,
  }
  /** Every handle() in flight, so `stop()` can wait for them. */
  const inFlight = new Set<Promise<unknown>>()

  const handle = (draft: EventDraft): Promise<E.Either<SessionError, readonly Envelope[]>> => {
    const p = driver.handle(draft).then((r) => {
      if (E.isLeft(r)) {
        if (failure === undefined) log.error({ error: r.left._tag, type: draft.type }, 'journal refused: halting')
        failure ??= r.left
      } else {
        for (const e of r.right) {
          const id = orderIdOf(e)
          if (id !== undefined) latestSeq.set(id, e.seq)
        }
        o.onCascade?.(r.right)
      }
      return r
    })
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
    return p
  }

  // ---- the broker side (live only) ----------------------------------------------------------------------------

  /** `causedBy`: the request this answers (a modification's); by default the order's latest journalled event. */
  const report = (
    e: BrokerOrderEvent | EventOfType<'OrderAccepted' | 'OrderRejected' | 'OrderModified' | 'OrderModifyRejected'>,
    causedBy?: number,
  ) => {
    counters.brokerReports++
    const orderId = e.payload.orderId
    const seq = causedBy ?? latestSeq.get(orderId)
    void handle({
      ...(e as EventDraft),
      ts: eventTime(),
      correlationId: orderId,
      ...(seq === undefined ? {} : { causationId: unsafe.seq(seq) }),
    })
  }

  const withCharges = (e: BrokerOrderEvent): BrokerOrderEvent => {
    if (e.type !== 'OrderFilled' || o.estimateCharges === false) return e
    const req = requests.get(e.payload.orderId)
    const first = (tracked.get(e.payload.orderId)?.filledQty ?? 0) === 0
    const fees = equityCharges(scheduleOn(UPSTOX_EQUITY_SCHEDULES, istDateOf(eventTime())), {
      side: e.payload.side,
      product: req?.product ?? 'I',
      valuePaise: e.payload.fillQty * e.payload.fillPricePaise,
      chargeBrokerage: first,
    }).totalPaise
    return { ...e, payload: { ...e.payload, feesPaise: unsafeMoney.paise(fees) as typeof e.payload.feesPaise } }
  }

  const brokerFailed = (orderId: OrderId, e: BrokerError, what: string) => {
    counters.brokerErrors++
    log.error({ orderId, error: e._tag, reason: describeBrokerError(e) }, `${what} failed`)
  }

  const place = async (broker: UpstoxBroker, orderId: OrderId): Promise<void> => {
    const req = requests.get(orderId)
    if (req === undefined) return brokerFailed(orderId, { _tag: 'BrokerRequestInvalid', reason: 'no request' }, 'place')
    counters.ordersPlaced++
    const r = await broker.orders.submit(req)()
    if (E.isRight(r)) {
      if (r.right.type === 'OrderAccepted') {
        tracked.set(
          orderId,
          broker.orders.track({
            orderId,
            brokerOrderId: r.right.payload.brokerOrderId,
            strategyId: req.strategyId,
            instrumentKey: req.instrumentKey,
            side: req.side,
          }),
        )
      }
      return report(r.right)
    }
    const e = r.left
    if (e._tag === 'OrderStateUnknown') {
      // Neither placed for sure nor refused for sure: stop trading the instrument until someone looks.
      brokerFailed(orderId, e, 'place')
      void handle({
        type: 'KillSwitchEngaged',
        ts: eventTime(),
        correlationId: orderId,
        payload: {
          scope: 'instrument',
          target: req.instrumentKey,
          source: 'rule',
          reason: `order ${orderId}: ${describeBrokerError(e)}`,
        },
      })
      return
    }
    // Refused before it reached the venue (no token, token expired, a request the adapter would not send): the
    // order does not exist, which is what a rejection records.
    brokerFailed(orderId, e, 'place')
    report({ type: 'OrderRejected', payload: { orderId, reason: describeBrokerError(e) } })
  }

  const cancel = async (broker: UpstoxBroker, orderId: OrderId): Promise<void> => {
    const t = tracked.get(orderId)
    if (t === undefined || t.done) return
    const r = await broker.orders.cancel(t.brokerOrderId)()
    // The venue's answer to the cancel arrives with the next poll (`cancelled`, or `not cancelled`).
    if (E.isLeft(r)) brokerFailed(orderId, r.left, 'cancel')
  }

  /**
   * Sends a modification the engine asked for (a trailing stop moving) and journals the venue's answer as an input:
   * `OrderModified` with the new prices once Upstox took it, `OrderModifyRejected` with the reason otherwise. The
   * order keeps working at its old prices meanwhile, as it does at the venue.
   */
  const modify = async (
    broker: UpstoxBroker,
    request: Extract<Envelope, { type: 'OrderModifyRequested' }>,
  ): Promise<void> => {
    const m = request.payload
    const t = tracked.get(m.orderId)
    const view = o.state.trading.orders.orders.get(m.orderId)
    if (t === undefined || t.done || view === undefined) {
      report(
        { type: 'OrderModifyRejected', payload: { orderId: m.orderId, reason: 'not working at the venue' } },
        request.seq,
      )
      return
    }
    const r = await broker.orders.modify(t.brokerOrderId, {
      orderId: m.orderId,
      qty: view.qty,
      orderType: view.orderType,
      validity: view.validity,
      limitPricePaise: m.limitPricePaise ?? view.limitPricePaise,
      triggerPricePaise: m.triggerPricePaise ?? view.triggerPricePaise,
    })()
    if (E.isLeft(r)) {
      brokerFailed(m.orderId, r.left, 'modify')
      report(
        { type: 'OrderModifyRejected', payload: { orderId: m.orderId, reason: describeBrokerError(r.left) } },
        request.seq,
      )
      return
    }
    const { reason: _r, ...prices } = m
    report({ type: 'OrderModified', payload: prices }, request.seq)
  }

  const poll = async (): Promise<void> => {
    const broker = o.broker
    if (polling) pollAgain = true
    if (broker === undefined || polling || failure !== undefined) return
    const working = [...tracked.values()].filter((t) => !t.done)
    if (working.length === 0) return
    polling = true
    try {
      const r = await broker.orders.reconcile(working)()
      if (E.isLeft(r)) {
        counters.brokerErrors++
        log.warn({ error: r.left._tag, reason: describeBrokerError(r.left) }, 'reconcile failed; retried next poll')
        return
      }
      // Charges need the fill count before this poll, so they are worked out before the tracking moves on.
      const reports = r.right.events.map(withCharges)
      const next = new Map(tracked)
      for (const t of r.right.tracked) next.set(t.orderId, t)
      tracked = next
      for (const e of reports) report(e)
    } finally {
      polling = false
    }
    if (pollAgain) {
      pollAgain = false
      await poll()
    }
  }

  /** Placements and cancels in flight, so `stop()` can wait for the venue's answers. */
  const brokerCalls = new Set<Promise<void>>()
  const track = (p: Promise<void>): void => {
    brokerCalls.add(p)
    void p.finally(() => brokerCalls.delete(p))
  }

  const effects = (decisions: readonly Envelope[]): void => {
    for (const d of decisions) {
      if (d.type === 'OrderRequested') requests.set(d.payload.orderId, d.payload)
      const broker = o.broker
      if (broker === undefined) continue
      if (d.type === 'OrderSubmitted' && d.payload.venue === 'upstox') track(place(broker, d.payload.orderId))
      else if (d.type === 'OrderCancelRequested') track(cancel(broker, d.payload.orderId))
      else if (d.type === 'OrderModifyRequested') track(modify(broker, d))
    }
  }

  // ---- the market side ----------------------------------------------------------------------------------------

  /** Per instrument, the minute of the first trade this session saw, when it came after the minute began. */
  const partialMinute = new Map<string, number>()
  const closeBars = (drafts: readonly BarDraft[]) => {
    for (const b of drafts) {
      // The minute the session joined in was seen only from its first tick on: its bar would be partial.
      if (partialMinute.get(b.payload.instrumentKey) === b.payload.openMs) {
        counters.partialBars++
        continue
      }
      counters.bars++
      void handle(b)
    }
  }

  const seenLive = new Set<string>()
  /** The feed client's `onTicks`: each tick after the bars it closes (they ended before it). */
  const onTicks = (
    ticks: readonly TickPayload[],
    frame: { readonly kind: 'initial_feed' | 'live_feed'; readonly currentTs: number },
  ): void => {
    if (frame.currentTs > serverTs) {
      serverTs = frame.currentTs
      closeBars(bars.flush(serverTs - (o.barGraceMs ?? 2000)))
    }
    for (const tick of ticks) {
      const last = lastLtt.get(tick.instrumentKey)
      // A snapshot sent after a (re)subscription repeats the last trade already seen: not a new tick.
      if (frame.kind === 'initial_feed' && last !== undefined && tick.lttMs <= last) {
        counters.staleSnapshots++
        continue
      }
      if (last === undefined || tick.lttMs > last) lastLtt.set(tick.instrumentKey, tick.lttMs)
      counters.ticks++
      // A snapshot's trade was not seen happening (it may be the previous session's last print): it marks positions
      // but does not open a bar, which would hold that one trade of its minute.
      if (frame.kind === 'live_feed') {
        if (!seenLive.has(tick.instrumentKey)) {
          seenLive.add(tick.instrumentKey)
          const minute = tick.lttMs - (tick.lttMs % MINUTE_MS)
          if (tick.lttMs > minute) partialMinute.set(tick.instrumentKey, minute)
        }
        closeBars(bars.onTick(tick))
      }
      void handle({ type: 'TickReceived', ts: tick.lttMs, payload: tick })
    }
  }

  return {
    /** Operator commands and configuration (RunStarted first for a new journal). */
    handle,
    onTicks,
    /** The feed client's `onStatus`: every transition journalled, on the session's clock. */
    onFeedStatus: (payload: FeedStatusChanged['payload']): void => {
      void handle({ type: 'FeedStatusChanged', ts: eventTime(), payload })
    },
    /**
     * An operator's command (from the operator channel): decided against the state as it is now and journalled as
     * operator inputs on the session's clock; what they cause (the cancels of the working orders a switch covers)
     * follows as decisions, and reaches the venue as any decision does. An input still in flight is not yet in that
     * state, so the command sees the session at most that one input behind.
     */
    operate: async (cmd: OperatorCommand): Promise<E.Either<string, { seq: number; events: string[] }>> => {
      if (failure !== undefined) return E.left(`the session has halted: ${failure._tag}`)
      const drafts = decideOperatorCommand(cmd, o.state.trading, eventTime())
      if (E.isLeft(drafts)) return drafts
      let seq = 0
      const events: string[] = []
      for (const d of drafts.right) {
        const r = await handle(d)
        if (E.isLeft(r)) return E.left(`the journal refused it: ${r.left._tag}`)
        for (const e of r.right) {
          seq = e.seq
          events.push(e.type)
        }
      }
      return E.right({ seq, events })
    },
    /**
     * The venue says one of our orders changed (the portfolio stream's push): reconcile now rather than at the next
     * poll, so a fill is journalled, and the other leg of a resting exit cancelled, within a round trip of it. The
     * journal's reports still come from the reconcile (order book and trades, with their trade ids), so a push that
     * is lost or repeated changes nothing but the timing.
     */
    nudge: (): void => {
      counters.nudges++
      void poll()
    },
    /** Starts polling the venue for the reports of working orders (live). */
    start: (): void => {
      if (o.broker !== undefined) timer = setInterval(() => void poll(), o.pollMs ?? 1000)
    },
    /**
     * Reconciles once more, closes the bars of minutes the feed's clock has finished (an unfinished minute gets no
     * bar), records `RunEnded` and makes the journal durable.
     */
    stop: async (runId: string, reason: string): Promise<E.Either<SessionError, void>> => {
      if (timer !== undefined) clearInterval(timer)
      if (serverTs > 0) closeBars(bars.flush(serverTs))
      // Settle with the venue: every placement answered, then polled until no order is working (or the time is up:
      // what is still working then stays so in the journal, and the venue has the rest).
      const settleBy = o.nowMs() + (o.settleMs ?? 5000)
      for (;;) {
        while (inFlight.size > 0 || brokerCalls.size > 0) await Promise.all([...inFlight, ...brokerCalls])
        if (o.broker === undefined || failure !== undefined) break
        if (tracked.size === 0 || [...tracked.values()].every((t) => t.done)) break
        if (o.nowMs() >= settleBy) {
          log.warn({ working: [...tracked.values()].filter((t) => !t.done).length }, 'orders still working at stop')
          break
        }
        await poll()
        await new Promise((r) => setTimeout(r, Math.min(o.pollMs ?? 1000, 200)))
      }
      if (failure !== undefined) return E.left(failure)
      const ended = await handle({ type: 'RunEnded', ts: eventTime(), payload: { runId, reason } })
      if (E.isLeft(ended)) return ended
      return o.journal.sync()
    },
    state: () => o.state,
    counters: (): TradingSessionCounters => ({ ...counters }),
    failure: () => failure,
    workingOrders: (): readonly TrackedOrder[] => [...tracked.values()].filter((t) => !t.done),
  }
}

export type TradingSession = ReturnType<typeof createTradingSession>

const orderIdOf = (e: Envelope): OrderId | undefined => {
  switch (e.type) {
    case 'OrderRequested':
    case 'OrderDenied':
    case 'OrderSubmitted':
    case 'OrderAccepted':
    case 'OrderRejected':
    case 'OrderUpdated':
    case 'OrderCancelRequested':
    case 'OrderCancelled':
    case 'OrderFilled':
    case 'OrderExpired':
    case 'OrderModifyRequested':
    case 'OrderModified':
    case 'OrderModifyRejected':
    case 'OrderModifyDenied':
      return e.payload.orderId
    default:
      return undefined
  }
}
