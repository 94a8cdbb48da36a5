import type { EventDraft } from '../../src/domain/events/index.js'
import { unsafe } from '../../src/domain/ids/index.js'
import { unsafeMoney } from '../../src/domain/money/index.js'

// A tiny journal written out by hand, event by event: a simulated-broker run of the streak strategy (3 bars, qty 10)
// on one instrument, four rising closes (a LONG signal and a market BUY), then one more bar that fills the order at
// its open. `handJournal()` is exactly what the engine derives (replay --verify must find 0 divergences); tests
// change one decision to make it diverge.

export const HAND_RUN_ID = 'hand'
/** The engine names an order after its run and the seq of the signal that asked for it (seq 7). */
export const HAND_ORDER_ID = 'hand-7'
export const HAND_INSTRUMENT = unsafe.instrumentKey('NSE_EQ|INE002A01018')
const strategyId = unsafe.strategyId('streak.hand')
const seq = unsafe.seq
const { price, qty, paise } = unsafeMoney

/** 2025-01-02 09:15 IST. */
export const HAND_T0 = Date.parse('2025-01-02T09:15:00+05:30')
const MIN = 60_000

const bar = (i: number, openPaise: number, closePaise: number): EventDraft => ({
  type: 'BarClosed',
  ts: HAND_T0 + (i + 1) * MIN,
  payload: {
    instrumentKey: HAND_INSTRUMENT,
    timeframe: '1m',
    openMs: HAND_T0 + i * MIN,
    openPaise: price(openPaise),
    highPaise: price(Math.max(openPaise, closePaise) + 20),
    lowPaise: price(Math.min(openPaise, closePaise) - 20),
    closePaise: price(closePaise),
    volume: 1000,
  },
})

/** The fill price the engine derives: the open of the bar after the order (seq 11). */
export const HAND_FILL_PRICE = 100_310

/** Seqs 1..12 as the journal will number them; the comments give each event's seq. */
export const handJournal = (): EventDraft[] => {
  const signalTs = HAND_T0 + 4 * MIN
  return [
    /* 1 */ {
      type: 'RunStarted',
      ts: HAND_T0,
      payload: {
        runId: HAND_RUN_ID,
        mode: 'backtest',
        broker: 'simulated',
        codeVersion: 'hand-written',
        configHash: 'c'.repeat(64),
        dataHash: 'd'.repeat(64),
        seed: 1,
        capitalPaise: paise(100_000_000),
      },
    },
    /* 2 */ {
      type: 'StrategyConfigured',
      ts: HAND_T0,
      payload: {
        strategyId,
        kind: 'streak',
        params: { bars: 3, qty: 10 },
        instruments: [HAND_INSTRUMENT],
        enabled: true,
      },
    },
    /* 3 */ bar(0, 99_990, 100_000),
    /* 4 */ bar(1, 100_090, 100_100),
    /* 5 */ bar(2, 100_190, 100_200),
    /* 6 */ bar(3, 100_290, 100_300),
    /* 7 */ {
      type: 'SignalEmitted',
      ts: signalTs,
      causationId: seq(6),
      payload: {
        strategyId,
        instrumentKey: HAND_INSTRUMENT,
        intent: 'LONG',
        confidence: 1,
        reason: '3 consecutive higher closes',
        qty: qty(10),
        metadata: { run: 3 },
      },
    },
    /* 8 */ {
      type: 'OrderRequested',
      ts: signalTs,
      causationId: seq(7),
      correlationId: HAND_ORDER_ID,
      payload: {
        orderId: unsafe.orderId(HAND_ORDER_ID),
        strategyId,
        instrumentKey: HAND_INSTRUMENT,
        side: 'BUY',
        qty: qty(10),
        orderType: 'MARKET',
        product: 'I',
        validity: 'DAY',
        reason: 'LONG 10 (held 0): 3 consecutive higher closes',
      },
    },
    /* 9 */ {
      type: 'OrderSubmitted',
      ts: signalTs,
      causationId: seq(8),
      correlationId: HAND_ORDER_ID,
      payload: { orderId: unsafe.orderId(HAND_ORDER_ID), venue: 'simulated' },
    },
    /* 10 */ {
      type: 'OrderAccepted',
      ts: signalTs,
      causationId: seq(9),
      correlationId: HAND_ORDER_ID,
      payload: { orderId: unsafe.orderId(HAND_ORDER_ID), brokerOrderId: `SIM-${HAND_ORDER_ID}` },
    },
    /* 11 */ bar(4, HAND_FILL_PRICE, 100_350),
    /* 12 */ {
      type: 'OrderFilled',
      ts: HAND_T0 + 5 * MIN,
      causationId: seq(10),
      correlationId: HAND_ORDER_ID,
      payload: {
        orderId: unsafe.orderId(HAND_ORDER_ID),
        tradeId: `${HAND_ORDER_ID}-T11`,
        strategyId,
        instrumentKey: HAND_INSTRUMENT,
        side: 'BUY',
        fillQty: qty(10),
        fillPricePaise: price(HAND_FILL_PRICE),
        feesPaise: paise(0),
      },
    },
  ]
}

/** Replaces the payload fields of the event at `seq` (1-based) in a copy of `drafts`. */
export const withPayload = (
  drafts: readonly EventDraft[],
  atSeq: number,
  patch: Record<string, unknown>,
): EventDraft[] =>
  drafts.map((d, i) => (i + 1 === atSeq ? ({ ...d, payload: { ...d.payload, ...patch } } as EventDraft) : d))
