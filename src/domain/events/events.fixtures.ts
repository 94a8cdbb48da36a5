import { unsafe } from '../ids/index.js'
import { unsafeMoney } from '../money/index.js'
import { IST_OFFSET_MS } from '../time/index.js'
import type { EventOfType, EventType } from './eventCatalog.js'

// One valid, realistic sample of every event type, for tests anywhere in the project. The story: a backtest of an
// SMA-cross strategy on RELIANCE on Thursday 2025-01-02 (the first 1-minute bar of that day opened at ₹1221.25).
// Every money value is integer paise; every time is epoch ms built from an IST wall-clock time.
// `sampleEvent` returns a fresh object on each call, so a test may modify what it gets.

/** Epoch ms of an IST wall-clock time on 2025-01-02. */
const istOn20250102 = (h: number, m: number, s = 0): number => Date.UTC(2025, 0, 2, h, m, s) - IST_OFFSET_MS

export const SAMPLE = {
  date: '2025-01-02',
  /** 09:15:00 IST, the first 1-minute bar of the session. */
  barOpenMs: istOn20250102(9, 15),
  /** 09:15:42 IST, a trade print inside that bar. */
  tickMs: istOn20250102(9, 15, 42),
  instrumentKey: unsafe.instrumentKey('NSE_EQ|INE002A01018'),
  strategyId: unsafe.strategyId('sma-cross.reliance'),
  orderId: unsafe.orderId('sma-cross.reliance-000001'),
  brokerOrderId: '250102000123456',
  runId: 'run-20250102-backtest-01',
} as const

const samples: { readonly [K in EventType]: () => EventOfType<K> } = {
  TickReceived: () => ({
    type: 'TickReceived',
    payload: {
      instrumentKey: SAMPLE.instrumentKey,
      ltpPaise: unsafeMoney.price(122305),
      lttMs: SAMPLE.tickMs,
      ltq: 25,
      volume: 203325,
      bidPaise: unsafeMoney.paise(122300),
      askPaise: unsafeMoney.paise(122305),
      bidQty: 120,
      askQty: 85,
    },
  }),
  BarClosed: () => ({
    type: 'BarClosed',
    payload: {
      instrumentKey: SAMPLE.instrumentKey,
      timeframe: '1m',
      openMs: SAMPLE.barOpenMs,
      openPaise: unsafeMoney.price(122125),
      highPaise: unsafeMoney.price(122620),
      lowPaise: unsafeMoney.price(122125),
      closePaise: unsafeMoney.price(122305),
      volume: 203325,
    },
  }),
  FeedStatusChanged: () => ({
    type: 'FeedStatusChanged',
    payload: { feed: 'upstox-market-data-v3', status: 'reconnecting', reason: 'no message for 10 s' },
  }),
  SessionPhaseChanged: () => ({
    type: 'SessionPhaseChanged',
    payload: { exchange: 'NSE', date: SAMPLE.date, phase: 'open' },
  }),
  TimerFired: () => ({ type: 'TimerFired', payload: { timer: 'mis-square-off-15:15' } }),
  SignalEmitted: () => ({
    type: 'SignalEmitted',
    payload: {
      strategyId: SAMPLE.strategyId,
      instrumentKey: SAMPLE.instrumentKey,
      intent: 'LONG',
      confidence: 0.72,
      reason: 'fast SMA 10 crossed above slow SMA 30',
      qty: unsafeMoney.qty(10),
      metadata: { fastSma: 1222.41, slowSma: 1219.86, warm: true },
    },
  }),
  OrderRequested: () => ({
    type: 'OrderRequested',
    payload: {
      orderId: SAMPLE.orderId,
      strategyId: SAMPLE.strategyId,
      instrumentKey: SAMPLE.instrumentKey,
      side: 'BUY',
      qty: unsafeMoney.qty(10),
      orderType: 'LIMIT',
      product: 'I',
      validity: 'DAY',
      reason: 'enter LONG: fast SMA 10 crossed above slow SMA 30',
      limitPricePaise: unsafeMoney.price(122305),
    },
  }),
  OrderDenied: () => ({
    type: 'OrderDenied',
    payload: {
      orderId: SAMPLE.orderId,
      rule: 'max-order-notional',
      reason: 'order notional ₹12,230.50 exceeds the ₹10,000.00 limit',
      value: 1223050,
      limit: 1000000,
    },
  }),
  OrderSubmitted: () => ({ type: 'OrderSubmitted', payload: { orderId: SAMPLE.orderId, venue: 'simulated' } }),
  OrderAccepted: () => ({
    type: 'OrderAccepted',
    payload: { orderId: SAMPLE.orderId, brokerOrderId: SAMPLE.brokerOrderId },
  }),
  OrderRejected: () => ({
    type: 'OrderRejected',
    payload: {
      orderId: SAMPLE.orderId,
      reason: 'RMS: margin exceeds available funds',
      brokerStatus: 'rejected',
    },
  }),
  OrderUpdated: () => ({
    type: 'OrderUpdated',
    payload: {
      orderId: SAMPLE.orderId,
      brokerStatus: 'open',
      brokerOrderId: SAMPLE.brokerOrderId,
      statusMessage: '',
    },
  }),
  OrderCancelRequested: () => ({
    type: 'OrderCancelRequested',
    payload: { orderId: SAMPLE.orderId, reason: 'MIS square-off at 15:15: cancel the unfilled entry' },
  }),
  OrderCancelled: () => ({
    type: 'OrderCancelled',
    payload: { orderId: SAMPLE.orderId, reason: 'cancelled on request' },
  }),
  OrderFilled: () => ({
    type: 'OrderFilled',
    payload: {
      orderId: SAMPLE.orderId,
      tradeId: '50000000123456',
      strategyId: SAMPLE.strategyId,
      instrumentKey: SAMPLE.instrumentKey,
      side: 'BUY',
      fillQty: unsafeMoney.qty(10),
      fillPricePaise: unsafeMoney.price(122305),
      // 10 × ₹1223.05 intraday buy: brokerage 0.05% (612) + exchange charge (36) + stamp duty (37) + GST (117).
      feesPaise: unsafeMoney.paise(802),
    },
  }),
  OrderExpired: () => ({
    type: 'OrderExpired',
    payload: { orderId: SAMPLE.orderId, reason: 'DAY order unfilled at the 15:30 close' },
  }),
  OrderModifyRequested: () => ({
    type: 'OrderModifyRequested',
    payload: {
      orderId: SAMPLE.orderId,
      triggerPricePaise: unsafeMoney.price(120000),
      reason: 'trailing-stop: resting SL-M moved to 1200.00, 2% below the best 1224.50',
    },
  }),
  OrderModified: () => ({
    type: 'OrderModified',
    payload: { orderId: SAMPLE.orderId, triggerPricePaise: unsafeMoney.price(120000) },
  }),
  OrderModifyDenied: () => ({
    type: 'OrderModifyDenied',
    payload: {
      orderId: SAMPLE.orderId,
      rule: 'MaxNotional',
      reason: 'position value would be 12500.00 INR, limit 12000.00 INR',
      value: 1_250_000,
      limit: 1_200_000,
    },
  }),
  OrderModifyRejected: () => ({
    type: 'OrderModifyRejected',
    payload: { orderId: SAMPLE.orderId, reason: 'Modify of already cancelled/rejected/completed order is not allowed' },
  }),
  RiskLimitBreached: () => ({
    type: 'RiskLimitBreached',
    payload: {
      scope: 'strategy',
      target: SAMPLE.strategyId,
      rule: 'max-daily-loss',
      value: -520000,
      limit: -500000,
      reason: 'realised + unrealised loss ₹5,200.00 is beyond the ₹5,000.00 daily limit',
    },
  }),
  KillSwitchEngaged: () => ({
    type: 'KillSwitchEngaged',
    payload: { scope: 'global', source: 'operator', reason: 'operator halted trading from the dashboard' },
  }),
  KillSwitchReleased: () => ({
    type: 'KillSwitchReleased',
    payload: { scope: 'global', source: 'operator', reason: 'operator resumed trading' },
  }),
  StrategyConfigured: () => ({
    type: 'StrategyConfigured',
    payload: {
      strategyId: SAMPLE.strategyId,
      kind: 'sma-cross',
      params: { fast: 10, slow: 30, qty: 10 },
      instruments: [SAMPLE.instrumentKey],
      enabled: true,
    },
  }),
  RunStarted: () => ({
    type: 'RunStarted',
    payload: {
      runId: SAMPLE.runId,
      mode: 'backtest',
      broker: 'simulated',
      codeVersion: '0.1.0+92cb9d0',
      configHash: '9f2c4e1a7b3d5f60c8e2a4b6d8f0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5',
      dataHash: '3b7a1e9c5d2f8a4b6c0e1d3f5a7b9c1e3d5f7a9b1c3e5d7f9a1b3c5e7d9f1a3b',
      seed: 42,
      // ₹10,00,000 starting capital.
      capitalPaise: unsafeMoney.paise(100_000_000),
      instrumentSymbols: { [SAMPLE.instrumentKey]: 'RELIANCE' },
    },
  }),
  RunEnded: () => ({ type: 'RunEnded', payload: { runId: SAMPLE.runId, reason: 'end of data' } }),
  ExitTriggered: () => ({
    type: 'ExitTriggered',
    payload: {
      strategyId: SAMPLE.strategyId,
      instrumentKey: SAMPLE.instrumentKey,
      exit: 'stop-loss',
      reason: 'close 1198.50 is 2.0% below the 1223.05 entry (stop 1.5%)',
      pricePaise: unsafeMoney.price(119850),
    },
  }),
  SimulatorConfigured: () => ({
    type: 'SimulatorConfigured',
    payload: {
      config: {
        fillModel: 'touch',
        slippageTicks: 1,
        tickPaise: 5,
        limitFillProbability: 1,
        latencyMs: 250,
        charges: 'upstox',
        participation: 0.1,
      },
    },
  }),
  RiskLimitsConfigured: () => ({
    type: 'RiskLimitsConfigured',
    payload: {
      limits: {
        maxQty: 500,
        maxDailyLossPaise: 500_000,
        maxOrdersPerSecond: 10,
        instruments: { [SAMPLE.instrumentKey]: { maxQty: 100 } },
      },
    },
  }),
}

/** A valid, realistic event of the given type (a fresh object on every call). */
export const sampleEvent = <K extends EventType>(type: K): EventOfType<K> => samples[type]()
