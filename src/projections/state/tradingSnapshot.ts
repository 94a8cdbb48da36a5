import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import {
  BrokerKind,
  ExitConfig,
  FeedStatus,
  OrderType,
  Product,
  ProtectiveExit,
  RiskScope,
  RunMode,
  Side,
  Validity,
} from '../../domain/events/index.js'
import type { InstrumentKey, OrderId, StrategyId } from '../../domain/ids/index.js'
import type { OrderStatus } from '../../domain/orders/index.js'
import { isTerminal, ORDER_STATUSES } from '../../domain/orders/index.js'
import { RiskLimits } from '../../domain/risk/index.js'
import type { OrderView } from '../orders/index.js'
import { positionKey } from '../positions/index.js'
import { killSwitchKey, ORDER_WINDOW } from '../risk/index.js'
import { createTradingState, type TradingState } from './tradingState.js'

// A snapshot is the trading state as plain JSON with every map turned into entries sorted by key, so the same state
// always serializes to the same bytes ("fold twice, compare bytes" is a test) and a restart folds only the tail.

const sortedEntries = <V>(m: ReadonlyMap<string, V>): [string, V][] =>
  [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

const num = t.number
const str = t.string
const optNum = t.union([t.number, t.null])
const optStr = t.union([t.string, t.null])
const Status = t.keyof(Object.fromEntries(ORDER_STATUSES.map((s) => [s, null])) as Record<OrderStatus, null>)

const OrderSnap = t.intersection([
  t.type({
    orderId: str,
    strategyId: str,
    instrumentKey: str,
    side: Side,
    qty: num,
    orderType: OrderType,
    product: Product,
    validity: Validity,
    limitPricePaise: optNum,
    triggerPricePaise: optNum,
    status: Status,
    filledQty: num,
    filledValuePaise: num,
    feesPaise: num,
    brokerOrderId: optStr,
    brokerStatus: optStr,
    reason: str,
    requestedSeq: num,
    lastSeq: num,
    lateEvents: num,
  }),
  // Written only when set (a protective order; an order ever modified), so older runs' snapshots keep their bytes.
  t.partial({
    protects: ProtectiveExit,
    modifyPending: t.intersection([
      t.type({ reason: str }),
      t.partial({ limitPricePaise: num, triggerPricePaise: num }),
    ]),
    lastModifyTs: num,
  }),
])

const PositionSnap = t.type({
  strategyId: str,
  instrumentKey: str,
  qty: num,
  costPaise: num,
  realizedPaise: num,
  feesPaise: num,
  buyQty: num,
  sellQty: num,
  lastFillSeq: num,
})

const KillSwitchSnap = t.intersection([
  t.type({
    scope: RiskScope,
    target: str,
    source: t.keyof({ operator: null, rule: null }),
    reason: str,
    sinceSeq: num,
    sinceTs: num,
  }),
  t.partial({ rule: str }),
])

export const TradingSnapshot = t.type({
  version: t.literal(1),
  lastSeq: num,
  lastTs: num,
  eventCount: num,
  run: t.union([
    t.null,
    t.type({
      runId: str,
      mode: RunMode,
      broker: BrokerKind,
      codeVersion: str,
      configHash: str,
      dataHash: str,
      seed: num,
      startedSeq: num,
      endedSeq: optNum,
    }),
  ]),
  orders: t.array(OrderSnap),
  positions: t.array(PositionSnap),
  marks: t.array(t.tuple([str, t.type({ markPaise: num, markTs: num, netQty: num })])),
  account: t.type({
    initialCashPaise: num,
    cashPaise: num,
    realizedPaise: num,
    feesPaise: num,
    positionValuePaise: num,
  }),
  risk: t.type({
    day: num,
    dailyTradeCount: num,
    dailyRealizedPaise: num,
    dailyFeesPaise: num,
    dailyOrderCount: num,
    peakEquityPaise: num,
    drawdownPaise: num,
    maxDrawdownPaise: num,
    orderTimes: t.array(num),
    orderTimesNext: num,
    orderTimesCount: num,
    killSwitches: t.array(KillSwitchSnap),
    breaches: num,
    limits: RiskLimits,
    dayStartEquityPaise: num,
  }),
  strategies: t.array(
    t.type({
      strategyId: str,
      kind: str,
      params: t.record(t.string, t.unknown),
      instruments: t.array(str),
      enabled: t.boolean,
      exits: ExitConfig,
      product: Product,
      configuredSeq: num,
    }),
  ),
  feeds: t.array(t.tuple([str, FeedStatus])),
  orderCount: num,
})
export type TradingSnapshot = t.TypeOf<typeof TradingSnapshot>

const orderToSnap = (o: OrderView): t.TypeOf<typeof OrderSnap> => ({
  orderId: o.orderId,
  strategyId: o.strategyId,
  instrumentKey: o.instrumentKey,
  side: o.side,
  qty: o.qty,
  orderType: o.orderType,
  product: o.product,
  validity: o.validity,
  limitPricePaise: o.limitPricePaise ?? null,
  triggerPricePaise: o.triggerPricePaise ?? null,
  status: o.status,
  filledQty: o.filledQty,
  filledValuePaise: o.filledValuePaise,
  feesPaise: o.feesPaise,
  brokerOrderId: o.brokerOrderId ?? null,
  brokerStatus: o.brokerStatus ?? null,
  reason: o.reason,
  requestedSeq: o.requestedSeq,
  lastSeq: o.lastSeq,
  lateEvents: o.lateEvents,
  ...(o.protects === undefined ? {} : { protects: o.protects }),
  ...(o.modifyPending === undefined ? {} : { modifyPending: o.modifyPending }),
  ...(o.lastModifyTs === undefined ? {} : { lastModifyTs: o.lastModifyTs }),
})

export const toTradingSnapshot = (s: TradingState): TradingSnapshot => {
  const r = s.risk
  return {
    version: 1,
    lastSeq: s.lastSeq,
    lastTs: s.lastTs,
    eventCount: s.eventCount,
    run: s.run === undefined ? null : { ...s.run, endedSeq: s.run.endedSeq ?? null },
    // In request order, not by id: restoring re-inserts them in this order, and the simulated broker and the kill
    // switch walk the working orders in it, so a restored state decides exactly as the original.
    orders: [...s.orders.orders.values()].sort((a, b) => a.requestedSeq - b.requestedSeq).map(orderToSnap),
    positions: sortedEntries(s.portfolio.positions).map(([, p]) => ({ ...p })),
    marks: sortedEntries(s.portfolio.marks).map(([k, m]) => [k, { ...m }]),
    account: {
      initialCashPaise: s.portfolio.initialCashPaise,
      cashPaise: s.portfolio.cashPaise,
      realizedPaise: s.portfolio.realizedPaise,
      feesPaise: s.portfolio.feesPaise,
      positionValuePaise: s.portfolio.positionValuePaise,
    },
    risk: {
      day: r.day,
      dailyTradeCount: r.dailyTradeCount,
      dailyRealizedPaise: r.dailyRealizedPaise,
      dailyFeesPaise: r.dailyFeesPaise,
      dailyOrderCount: r.dailyOrderCount,
      peakEquityPaise: r.peakEquityPaise,
      drawdownPaise: r.drawdownPaise,
      maxDrawdownPaise: r.maxDrawdownPaise,
      orderTimes: [...r.orderTimes],
      orderTimesNext: r.orderTimesNext,
      orderTimesCount: r.orderTimesCount,
      killSwitches: sortedEntries(r.killSwitches).map(([, k]) => ({ ...k })),
      breaches: r.breaches,
      limits: r.limits,
      dayStartEquityPaise: r.dayStartEquityPaise,
    },
    strategies: sortedEntries(s.strategies).map(([, c]) => ({ ...c, instruments: [...c.instruments] })),
    feeds: sortedEntries(s.feeds),
    orderCount: s.orderCount,
  }
}

/** The canonical bytes of a state: equal states give equal strings. */
export const serializeTradingState = (s: TradingState): string => JSON.stringify(toTradingSnapshot(s))

const undef = <T>(v: T | null): T | undefined => (v === null ? undefined : v)

/** Rebuilds a state from a snapshot (e.g. read from disk); the snapshot is validated first. */
export const fromTradingSnapshot = (u: unknown): E.Either<string, TradingState> =>
  pipe(
    TradingSnapshot.decode(u),
    E.mapLeft(
      (errs) =>
        `snapshot does not decode: ${errs
          .slice(0, 3)
          .map((e) =>
            e.context
              .map((c) => c.key)
              .filter(Boolean)
              .join('.'),
          )
          .join('; ')}`,
    ),
    E.flatMap((snap) =>
      snap.risk.orderTimes.length !== ORDER_WINDOW
        ? E.left(`snapshot order window has ${snap.risk.orderTimes.length} slots, expected ${ORDER_WINDOW}`)
        : E.right(snap),
    ),
    E.map((snap) => {
      const s = createTradingState()
      s.lastSeq = snap.lastSeq
      s.lastTs = snap.lastTs
      s.eventCount = snap.eventCount
      s.run = snap.run === null ? undefined : { ...snap.run, endedSeq: undef(snap.run.endedSeq) }
      for (const o of snap.orders) {
        const view: OrderView = {
          ...o,
          orderId: o.orderId as OrderId,
          strategyId: o.strategyId as StrategyId,
          instrumentKey: o.instrumentKey as InstrumentKey,
          limitPricePaise: undef(o.limitPricePaise),
          triggerPricePaise: undef(o.triggerPricePaise),
          protects: o.protects,
          modifyPending: o.modifyPending,
          lastModifyTs: o.lastModifyTs,
          brokerOrderId: undef(o.brokerOrderId),
          brokerStatus: undef(o.brokerStatus),
        }
        s.orders.orders.set(view.orderId, view)
        if (!isTerminal(view.status)) s.orders.working.set(view.orderId, view)
      }
      for (const p of snap.positions) s.portfolio.positions.set(positionKey(p.strategyId, p.instrumentKey), { ...p })
      for (const [k, m] of snap.marks) s.portfolio.marks.set(k, { ...m })
      Object.assign(s.portfolio, snap.account)
      const { orderTimes, killSwitches, ...counters } = snap.risk
      Object.assign(s.risk, counters)
      s.risk.orderTimes.set(orderTimes)
      for (const k of killSwitches) s.risk.killSwitches.set(killSwitchKey(k.scope, k.target), { ...k })
      for (const c of snap.strategies) s.strategies.set(c.strategyId, { ...c })
      for (const [k, f] of snap.feeds) s.feeds.set(k, f)
      s.orderCount = snap.orderCount
      return s
    }),
  )
