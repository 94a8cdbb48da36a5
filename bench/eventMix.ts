import type { EventDraft } from '../src/domain/events/index.js'
import { unsafe } from '../src/domain/ids/index.js'
import { unsafeMoney } from '../src/domain/money/index.js'

// A realistic journal mix for benchmarks: mostly ticks (full mode, with cumulative volume) and 1-minute bars,
// with an order lifecycle (request, submit, accept, fill) every 200 events. Deterministic in `i`.

const KEYS = [
  'NSE_EQ|INE002A01018',
  'NSE_EQ|INE467B01029',
  'NSE_EQ|INE040A01034',
  'NSE_EQ|INE009A01021',
  'NSE_EQ|INE090A01021',
  'NSE_EQ|INE062A01020',
  'NSE_EQ|INE154A01025',
  'NSE_EQ|INE018A01030',
].map(unsafe.instrumentKey)

const T0 = Date.UTC(2025, 0, 2, 3, 45) // 09:15 IST
const strategyId = unsafe.strategyId('bench')

/** The i-th event (0-based) of the benchmark journal. */
export const mixEvent = (i: number): EventDraft => {
  const key = KEYS[i % KEYS.length]!
  const ts = T0 + i * 7
  const phase = i % 200
  if (phase >= 196) {
    const n = Math.floor(i / 200)
    const orderId = unsafe.orderId(`bench-${n}`)
    const side = n % 2 === 0 ? 'BUY' : 'SELL'
    switch (phase) {
      case 196:
        return {
          type: 'OrderRequested',
          ts,
          correlationId: orderId,
          payload: {
            orderId,
            strategyId,
            instrumentKey: key,
            side,
            qty: unsafeMoney.qty(10),
            orderType: 'MARKET',
            product: 'I',
            validity: 'DAY',
            reason: 'benchmark order',
          },
        }
      case 197:
        return { type: 'OrderSubmitted', ts, correlationId: orderId, payload: { orderId, venue: 'simulated' } }
      case 198:
        return { type: 'OrderAccepted', ts, correlationId: orderId, payload: { orderId, brokerOrderId: `SIM-${n}` } }
      default:
        return {
          type: 'OrderFilled',
          ts,
          correlationId: orderId,
          payload: {
            orderId,
            tradeId: `T${n}`,
            strategyId,
            instrumentKey: key,
            side,
            fillQty: unsafeMoney.qty(10),
            fillPricePaise: unsafeMoney.price(100_000 + (i % 977) * 5),
            feesPaise: unsafeMoney.paise(2_000),
          },
        }
    }
  }
  if (phase % 8 === 7) {
    const openMs = ts - (ts % 60_000)
    const o = 100_000 + (i % 991) * 5
    return {
      type: 'BarClosed',
      ts,
      payload: {
        instrumentKey: key,
        timeframe: '1m',
        openMs,
        openPaise: unsafeMoney.price(o),
        highPaise: unsafeMoney.price(o + 40),
        lowPaise: unsafeMoney.price(o - 35),
        closePaise: unsafeMoney.price(o + 10),
        volume: 1_000 + (i % 5_000),
      },
    }
  }
  return {
    type: 'TickReceived',
    ts,
    payload: {
      instrumentKey: key,
      ltpPaise: unsafeMoney.price(100_000 + (i % 997) * 5),
      lttMs: ts,
      ltq: 1 + (i % 50),
      volume: i * 3,
    },
  }
}

export const mixBatch = (from: number, n: number): EventDraft[] => {
  const out: EventDraft[] = new Array(n)
  for (let k = 0; k < n; k++) out[k] = mixEvent(from + k)
  return out
}
