import type { TradingCalendar } from '../../domain/calendar/index.js'
import type { BarClosed, EventDraft } from '../../domain/events/index.js'
import { istDateOf } from '../../domain/time/index.js'
import { type SyntheticInstrument, syntheticBars } from '../synthetic/index.js'

// The sandbox's market: the seeded synthetic NSE market replayed tick by tick. Each 1-minute bar becomes four ticks
// (O-L-H-C for a rising bar, O-H-L-C for a falling one, 15 s apart) carrying a quarter of the bar's volume, so
// cumulative volume, the day's OHLC and the minute candles all agree with the bars the history endpoints serve.
// The bars come from any day-by-day source (by default the synthetic market). Days before the replay day are history; the replay day advances one tick per `step()` (tests) or on a timer
// (`bahi sandbox --speed X`), and rolls into the next session when it ends.

export const TICKS_PER_MINUTE = 4
export const TICK_SPACING_MS = 15_000

export interface MinuteBar {
  readonly openMs: number
  readonly open: number
  readonly high: number
  readonly low: number
  readonly close: number
  readonly volume: number
}

export interface LiveCandle {
  openMs: number
  open: number
  high: number
  low: number
  close: number
  volume: number
}

/** What is known about one instrument at the current market time. Prices in paise. */
export interface InstrumentQuote {
  readonly instrument: SyntheticInstrument
  ltpPaise: number
  lttMs: number
  ltq: number
  /** Previous session's close. */
  cpPaise: number
  /** Cumulative volume today. */
  vtt: number
  /** Sum of price x qty today, for the average traded price. */
  turnoverPaise: number
  day: LiveCandle | undefined
  minute: LiveCandle | undefined
  lastMinute: MinuteBar | undefined
  prevDay: MinuteBar | undefined
}

export interface MarketTick {
  readonly instrumentKey: string
  readonly pricePaise: number
  readonly qty: number
  readonly tsMs: number
  readonly quote: InstrumentQuote
}

/** Where the bars come from: one batch of 1-minute `BarClosed` drafts per session, in time order. */
export type BarDays = Iterator<readonly EventDraft<BarClosed>[]>

export interface MarketReplayOptions {
  readonly instruments: readonly SyntheticInstrument[]
  /** Sessions of history before the replay day. */
  readonly historyDays: number
  readonly days: BarDays
}

/** The default source: the seeded synthetic market from `from`, without end. */
export const syntheticDays = (o: {
  readonly calendar: TradingCalendar
  readonly instruments: readonly SyntheticInstrument[]
  readonly from: string
  readonly seed: number
}): BarDays => syntheticBars({ ...o, days: 1_000_000 })

interface Day {
  readonly date: string
  readonly bars: ReadonlyMap<string, readonly MinuteBar[]>
  readonly minutes: number
}

export type TickListener = (ticks: readonly MarketTick[]) => void
export type DayListener = (endedDate: string) => void

const aggregate = (bars: readonly MinuteBar[]): MinuteBar | undefined => {
  const first = bars[0]
  const last = bars.at(-1)
  if (first === undefined || last === undefined) return undefined
  let high = first.high
  let low = first.low
  let volume = 0
  for (const b of bars) {
    if (b.high > high) high = b.high
    if (b.low < low) low = b.low
    volume += b.volume
  }
  return { openMs: first.openMs, open: first.open, high, low, close: last.close, volume }
}

/** The four tick prices of a bar. */
export const tickPath = (b: MinuteBar): readonly [number, number, number, number] =>
  b.close >= b.open ? [b.open, b.low, b.high, b.close] : [b.open, b.high, b.low, b.close]

/** The volume of tick `k` of a bar: a quarter each, the remainder on the last tick. */
export const tickVolume = (b: MinuteBar, k: number): number => {
  const q = Math.floor(b.volume / TICKS_PER_MINUTE)
  return k < TICKS_PER_MINUTE - 1 ? q : b.volume - q * (TICKS_PER_MINUTE - 1)
}

export const createMarketReplay = (o: MarketReplayOptions) => {
  const days: Day[] = []
  const pullDay = (): Day | undefined => {
    const r = o.days.next()
    if (r.done) return undefined
    const bars = new Map<string, MinuteBar[]>()
    for (const i of o.instruments) bars.set(i.instrumentKey, [])
    for (const b of r.value) {
      const p = b.payload
      if (p.timeframe !== '1m') continue
      bars.get(p.instrumentKey)?.push({
        openMs: p.openMs,
        open: p.openPaise,
        high: p.highPaise,
        low: p.lowPaise,
        close: p.closePaise,
        volume: p.volume,
      })
    }
    const firstList = bars.values().next().value ?? []
    const date = firstList[0] === undefined ? '' : istDateOf(firstList[0].openMs)
    const day: Day = { date, bars, minutes: firstList.length }
    days.push(day)
    return day
  }
  for (let i = 0; i <= o.historyDays; i++) if (pullDay() === undefined) break
  let cur = days.length - 1
  let minute = 0
  let tick = 0
  const quotes = new Map<string, InstrumentQuote>()
  const tickListeners = new Set<TickListener>()
  const dayListeners = new Set<DayListener>()

  const startDay = () => {
    const day = days[cur]
    const prev = days[cur - 1]
    for (const i of o.instruments) {
      const prevBars = prev?.bars.get(i.instrumentKey) ?? []
      const prevDay = aggregate(prevBars)
      const first = day?.bars.get(i.instrumentKey)?.[0]
      const cp = prevDay?.close ?? first?.open ?? i.startPricePaise
      quotes.set(i.instrumentKey, {
        instrument: i,
        ltpPaise: cp,
        lttMs: prevBars.at(-1)?.openMs ?? first?.openMs ?? 0,
        ltq: 0,
        cpPaise: cp,
        vtt: 0,
        turnoverPaise: 0,
        day: undefined,
        minute: undefined,
        lastMinute: undefined,
        prevDay,
      })
    }
  }
  startDay()

  const currentDay = (): Day | undefined => days[cur]

  /** Advances every instrument by one tick; rolls into the next session after the last tick of a day. */
  const stepOnce = (): readonly MarketTick[] => {
    let day = currentDay()
    if (day === undefined) return []
    if (minute >= day.minutes) {
      const ended = day.date
      if (cur === days.length - 1 && pullDay() === undefined) return []
      cur++
      minute = 0
      tick = 0
      startDay()
      for (const l of dayListeners) l(ended)
      day = currentDay()
      if (day === undefined) return []
    }
    const ticks: MarketTick[] = []
    for (const i of o.instruments) {
      const bar = day.bars.get(i.instrumentKey)?.[minute]
      const q = quotes.get(i.instrumentKey)
      if (bar === undefined || q === undefined) continue
      const price = tickPath(bar)[tick]!
      const qty = tickVolume(bar, tick)
      const ts = bar.openMs + tick * TICK_SPACING_MS
      q.ltpPaise = price
      q.lttMs = ts
      q.ltq = qty
      q.vtt += qty
      q.turnoverPaise += price * qty
      if (q.day === undefined)
        q.day = { openMs: bar.openMs, open: price, high: price, low: price, close: price, volume: 0 }
      if (tick === 0) q.minute = { openMs: bar.openMs, open: price, high: price, low: price, close: price, volume: 0 }
      for (const c of [q.day, q.minute]) {
        if (c === undefined) continue
        if (price > c.high) c.high = price
        if (price < c.low) c.low = price
        c.close = price
        c.volume += qty
      }
      if (tick === TICKS_PER_MINUTE - 1) q.lastMinute = bar
      ticks.push({ instrumentKey: i.instrumentKey, pricePaise: price, qty, tsMs: ts, quote: q })
    }
    tick++
    if (tick === TICKS_PER_MINUTE) {
      tick = 0
      minute++
    }
    for (const l of tickListeners) l(ticks)
    return ticks
  }

  const step = (n = 1): readonly MarketTick[] => {
    const all: MarketTick[] = []
    for (let i = 0; i < n; i++) all.push(...stepOnce())
    return all
  }

  /** Market time: the last tick's time, or the session's open before the first tick. */
  const nowMs = (): number => {
    const day = currentDay()
    if (day === undefined) return 0
    let latest = 0
    for (const q of quotes.values()) if (q.lttMs > latest) latest = q.lttMs
    const open = day.bars.values().next().value?.[0]?.openMs ?? 0
    return Math.max(latest, open)
  }

  /** Completed 1-minute bars of an instrument with `fromMs <= openMs < toMs`, oldest first. */
  const completedBars = (instrumentKey: string, fromMs: number, toMs: number): MinuteBar[] => {
    const out: MinuteBar[] = []
    for (let d = 0; d <= cur; d++) {
      const list = days[d]?.bars.get(instrumentKey) ?? []
      const n = d === cur ? minute : list.length
      for (let j = 0; j < n; j++) {
        const b = list[j]!
        if (b.openMs >= fromMs && b.openMs < toMs) out.push(b)
      }
    }
    return out
  }

  return {
    instruments: o.instruments,
    step,
    nowMs,
    quote: (instrumentKey: string): InstrumentQuote | undefined => quotes.get(instrumentKey),
    completedBars,
    replayDate: (): string => currentDay()?.date ?? '',
    /** Whole minutes completed today. */
    minuteOfSession: (): number => minute,
    isOpen: (): boolean => {
      const day = currentDay()
      return day !== undefined && minute < day.minutes
    },
    onTicks: (l: TickListener): (() => void) => {
      tickListeners.add(l)
      return () => tickListeners.delete(l)
    },
    onDayEnded: (l: DayListener): (() => void) => {
      dayListeners.add(l)
      return () => dayListeners.delete(l)
    },
  }
}

export type MarketReplay = ReturnType<typeof createMarketReplay>
