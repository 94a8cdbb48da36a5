import type {
  BrokerKind,
  Envelope,
  ExitConfig,
  FeedStatus,
  Product,
  RunMode,
  StrategyParams,
} from '../../domain/events/index.js'
import { createOrderBook, evolveOrderBook, type OrderBookState } from '../orders/index.js'
import { createPortfolio, equityPaise, evolvePortfolio, type PortfolioState } from '../positions/index.js'
import { createRiskState, evolveRisk, type RiskState, rollDay, trackEquity } from '../risk/index.js'

// All projections composed: one fold over the journal gives orders, positions, cash, risk state and configuration.
// `evolveTradingState` updates the state in place and returns it: a state belongs to exactly one fold, and copying
// it per event would make replay ~75x slower. Whoever needs an independent copy takes a snapshot.

export interface RunInfo {
  readonly runId: string
  readonly mode: RunMode
  readonly broker: BrokerKind
  readonly codeVersion: string
  readonly configHash: string
  readonly dataHash: string
  readonly seed: number
  readonly startedSeq: number
  endedSeq: number | undefined
}

export interface StrategyConfig {
  readonly strategyId: string
  readonly exits: ExitConfig
  /** What its orders are: `I` intraday or `D` delivery (charges differ). */
  readonly product: Product
  readonly kind: string
  readonly params: StrategyParams
  readonly instruments: readonly string[]
  readonly enabled: boolean
  readonly configuredSeq: number
}

export interface TradingState {
  lastSeq: number
  lastTs: number
  eventCount: number
  run: RunInfo | undefined
  readonly orders: OrderBookState
  readonly portfolio: PortfolioState
  readonly risk: RiskState
  readonly strategies: Map<string, StrategyConfig>
  readonly feeds: Map<string, FeedStatus>
  /** Orders requested so far (order ids are numbered by their signal's seq, see `nextOrderId`). */
  orderCount: number
}

export const createTradingState = (): TradingState => ({
  lastSeq: 0,
  lastTs: 0,
  eventCount: 0,
  run: undefined,
  orders: createOrderBook(),
  portfolio: createPortfolio(),
  risk: createRiskState(),
  strategies: new Map(),
  feeds: new Map(),
  orderCount: 0,
})

export const evolveTradingState = (s: TradingState, e: Envelope): TradingState => {
  s.lastSeq = e.seq
  if (e.ts > s.lastTs) s.lastTs = e.ts
  s.eventCount++
  rollDay(s.risk, e.ts, equityPaise(s.portfolio))
  switch (e.type) {
    case 'TickReceived':
    case 'BarClosed':
      evolvePortfolio(s.portfolio, e)
      trackEquity(s.risk, equityPaise(s.portfolio))
      return s
    case 'OrderFilled': {
      const order = s.orders.orders.get(e.payload.orderId)
      const firstFill = order === undefined || order.filledQty === 0
      const realized = evolvePortfolio(s.portfolio, e)
      evolveOrderBook(s.orders, e)
      evolveRisk(s.risk, e, firstFill, realized)
      trackEquity(s.risk, equityPaise(s.portfolio))
      return s
    }
    case 'OrderRequested':
      s.orderCount++
      evolveOrderBook(s.orders, e)
      return s
    case 'OrderSubmitted':
      evolveOrderBook(s.orders, e)
      evolveRisk(s.risk, e, false, 0)
      return s
    case 'OrderDenied':
    case 'OrderAccepted':
    case 'OrderRejected':
    case 'OrderUpdated':
    case 'OrderCancelRequested':
    case 'OrderCancelled':
    case 'OrderExpired':
    case 'OrderModifyRequested':
    case 'OrderModified':
    case 'OrderModifyRejected':
    case 'OrderModifyDenied':
      evolveOrderBook(s.orders, e)
      return s
    case 'KillSwitchEngaged':
    case 'KillSwitchReleased':
    case 'RiskLimitBreached':
    case 'RiskLimitsConfigured':
      evolveRisk(s.risk, e, false, 0)
      return s
    case 'RunStarted':
      s.run = {
        runId: e.payload.runId,
        mode: e.payload.mode,
        broker: e.payload.broker,
        codeVersion: e.payload.codeVersion,
        configHash: e.payload.configHash,
        dataHash: e.payload.dataHash,
        seed: e.payload.seed,
        startedSeq: e.seq,
        endedSeq: undefined,
      }
      {
        // New capital is not a day's profit: move the daily loss baseline with it.
        const before = equityPaise(s.portfolio)
        evolvePortfolio(s.portfolio, e)
        s.risk.dayStartEquityPaise += equityPaise(s.portfolio) - before
      }
      trackEquity(s.risk, equityPaise(s.portfolio))
      return s
    case 'RunEnded':
      if (s.run !== undefined) s.run.endedSeq = e.seq
      return s
    case 'StrategyConfigured':
      s.strategies.set(e.payload.strategyId, {
        strategyId: e.payload.strategyId,
        kind: e.payload.kind,
        params: e.payload.params,
        instruments: [...e.payload.instruments],
        enabled: e.payload.enabled,
        exits: e.payload.exits ?? {},
        product: e.payload.product ?? 'I',
        configuredSeq: e.seq,
      })
      return s
    case 'FeedStatusChanged':
      s.feeds.set(e.payload.feed, e.payload.status)
      return s
    case 'SignalEmitted':
    case 'ExitTriggered':
    case 'SessionPhaseChanged':
    case 'TimerFired':
    case 'SimulatorConfigured':
      return s
  }
}
