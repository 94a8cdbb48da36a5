import type { TradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed, EventDraft } from '../../domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { DEFAULT_TICK_PAISE, roundToTick, unsafeMoney } from '../../domain/money/index.js'
import { addIstDays, type IstDate, istMidnight } from '../../domain/time/index.js'
import { createSeededRandom } from './seededRandom.js'

// A deterministic, seeded, NSE-like market: real instrument keys, the NSE calendar's sessions, prices on the 0.05
// tick, a U-shaped intraday volume curve and volatility clustering (a GARCH(1,1) variance per instrument). It is the
// embedded default market of the demo and (later) of the local Upstox exchange: no data download needed.

export interface SyntheticInstrument {
  readonly instrumentKey: InstrumentKey
  readonly symbol: string
  readonly startPricePaise: number
  /** Annualised volatility, e.g. 0.25. */
  readonly annualVol: number
  /** Average shares traded per minute. */
  readonly avgMinuteVolume: number
}

export const DEFAULT_SYNTHETIC_INSTRUMENTS: readonly SyntheticInstrument[] = [
  {
    instrumentKey: unsafe.instrumentKey('NSE_EQ|INE002A01018'),
    symbol: 'RELIANCE',
    startPricePaise: 122_000,
    annualVol: 0.22,
    avgMinuteVolume: 12_000,
  },
  {
    instrumentKey: unsafe.instrumentKey('NSE_EQ|INE467B01029'),
    symbol: 'TCS',
    startPricePaise: 410_000,
    annualVol: 0.2,
    avgMinuteVolume: 4_000,
  },
  {
    instrumentKey: unsafe.instrumentKey('NSE_EQ|INE040A01034'),
    symbol: 'HDFCBANK',
    startPricePaise: 172_000,
    annualVol: 0.2,
    avgMinuteVolume: 15_000,
  },
  {
    instrumentKey: unsafe.instrumentKey('NSE_EQ|INE009A01021'),
    symbol: 'INFY',
    startPricePaise: 188_000,
    annualVol: 0.24,
    avgMinuteVolume: 9_000,
  },
  {
    instrumentKey: unsafe.instrumentKey('NSE_EQ|INE090A01021'),
    symbol: 'ICICIBANK',
    startPricePaise: 128_000,
    annualVol: 0.22,
    avgMinuteVolume: 14_000,
  },
]

export interface SyntheticMarketOptions {
  readonly calendar: TradingCalendar
  readonly instruments: readonly SyntheticInstrument[]
  readonly from: IstDate
  readonly days: number
  readonly seed: number
}

const MINUTES_PER_YEAR = 252 * 375

/** One day of 1-minute bars for every instrument, merged in time order (instrument order within a minute). */
export function* syntheticBars(o: SyntheticMarketOptions): Generator<readonly EventDraft<BarClosed>[]> {
  const rnd = createSeededRandom(o.seed)
  const state = o.instruments.map((i) => {
    const perMinuteVar = (i.annualVol * i.annualVol) / MINUTES_PER_YEAR
    return { i, pricePaise: i.startPricePaise, variance: perMinuteVar, longRunVar: perMinuteVar }
  })
  // GARCH(1,1): variance_t = w + a * r_{t-1}^2 + b * variance_{t-1}, with w set so the long-run variance holds.
  const alpha = 0.08
  const beta = 0.9
  let date: IstDate | undefined = o.from
  let produced = 0
  for (
    let guard = 0;
    date !== undefined && produced < o.days && guard < o.days * 7 + 30;
    guard++, date = addIstDays(date, 1)
  ) {
    const session = o.calendar.sessionOn(date)
    const midnight = istMidnight(date)
    if (session === undefined || midnight === undefined) continue
    produced++
    const minutes = Math.floor((session.closeSec - session.openSec) / 60)
    const bars: EventDraft<BarClosed>[] = []
    for (const s of state) {
      // Overnight gap: a few minutes' worth of variance.
      s.pricePaise = Math.max(
        DEFAULT_TICK_PAISE,
        roundToTick(s.pricePaise * Math.exp(Math.sqrt(s.longRunVar * 30) * rnd.normal())),
      )
    }
    for (let m = 0; m < minutes; m++) {
      const openMs = midnight + session.openSec * 1000 + m * 60_000
      // U-shape: heavier at the open and the close.
      const x = (m - (minutes - 1) / 2) / ((minutes - 1) / 2 || 1)
      const shape = 0.45 + 1.65 * x * x
      for (const s of state) {
        const sigma = Math.sqrt(s.variance)
        const r = sigma * rnd.normal()
        s.variance = s.longRunVar * (1 - alpha - beta) + alpha * r * r + beta * s.variance
        const open = s.pricePaise
        const close = Math.max(DEFAULT_TICK_PAISE, roundToTick(open * Math.exp(r)))
        const high = Math.max(
          open,
          close,
          roundToTick(Math.max(open, close) * Math.exp(Math.abs(rnd.normal()) * sigma * 0.6)),
        )
        const low = Math.max(
          DEFAULT_TICK_PAISE,
          Math.min(open, close, roundToTick(Math.min(open, close) * Math.exp(-Math.abs(rnd.normal()) * sigma * 0.6))),
        )
        const volume = Math.max(1, Math.round(s.i.avgMinuteVolume * shape * Math.exp(0.35 * rnd.normal() - 0.06)))
        s.pricePaise = close
        bars.push({
          type: 'BarClosed',
          ts: openMs + 60_000,
          payload: {
            instrumentKey: s.i.instrumentKey,
            timeframe: '1m',
            openMs,
            openPaise: unsafeMoney.price(open),
            highPaise: unsafeMoney.price(high),
            lowPaise: unsafeMoney.price(low),
            closePaise: unsafeMoney.price(close),
            volume,
          },
        })
      }
    }
    yield bars
  }
}
