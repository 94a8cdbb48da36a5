import type { Session } from '../../domain/calendar/index.js'
import { type BarClosed, type EventDraft, SESSION_BUCKET_MS, type Timeframe } from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import type { PricePaise } from '../../domain/money/index.js'
import { DAY_MS, IST_OFFSET_MS, istDateOf } from '../../domain/time/index.js'

// One open bar of one timeframe for one instrument, kept as a mutable record of numbers, and the session bounds it
// is aligned to. Shared by the streaming aggregator (ticks -> 1m -> higher timeframes) and by `resampleBars`, so a
// higher timeframe built live and one resampled later from stored bars are the same fold.

export type BarDraft = EventDraft<BarClosed>

/** The day's normal-market bounds as epoch ms, or undefined when the market is closed that day. */
export interface SessionBounds {
  readonly openMs: number
  readonly closeMs: number
}

export type SessionLookup = (date: string) => Session | undefined

/** IST day number (days since 1970-01-01 IST) of an instant. */
export const istDay = (epochMs: number): number => Math.floor((epochMs + IST_OFFSET_MS) / DAY_MS)

/** Epoch ms of IST midnight of a day number. */
export const istDayStartMs = (day: number): number => day * DAY_MS - IST_OFFSET_MS

/** Caches the calendar per IST day: the calendar is consulted once per day, not per tick. */
export const createSessionCache = (sessionOn: SessionLookup) => {
  const cache = new Map<number, SessionBounds | null>()
  return (day: number): SessionBounds | undefined => {
    let b = cache.get(day)
    if (b === undefined) {
      const midnight = istDayStartMs(day)
      const s = sessionOn(istDateOf(midnight))
      b = s === undefined ? null : { openMs: midnight + s.openSec * 1000, closeMs: midnight + s.closeSec * 1000 }
      cache.set(day, b)
    }
    return b ?? undefined
  }
}

export interface Bucket {
  readonly timeframe: Timeframe
  readonly tfMs: number
  active: boolean
  day: number
  /** Bucket index within the session (0 = the bucket starting at the session open). */
  index: number
  /** Index of the last bucket emitted this session; -1 before the first. */
  prevIndex: number
  openMs: number
  endMs: number
  open: number
  high: number
  low: number
  close: number
  volume: number
  /** Last open interest seen in the bucket; -1 when none. */
  oi: number
}

export const createBucket = (timeframe: Timeframe): Bucket => ({
  timeframe,
  tfMs: SESSION_BUCKET_MS[timeframe],
  active: false,
  day: -1,
  index: -1,
  prevIndex: -1,
  openMs: 0,
  endMs: 0,
  open: 0,
  high: 0,
  low: 0,
  close: 0,
  volume: 0,
  oi: -1,
})

/** The finished bar as a `BarClosed` draft: `ts` is the bar's close time, `openMs` its start (09:15 anchor). */
export const barDraft = (key: InstrumentKey, b: Bucket): BarDraft => {
  const payload: {
    instrumentKey: InstrumentKey
    timeframe: Timeframe
    openMs: number
    openPaise: PricePaise
    highPaise: PricePaise
    lowPaise: PricePaise
    closePaise: PricePaise
    volume: number
    oi?: number
    afterGap?: true
  } = {
    instrumentKey: key,
    timeframe: b.timeframe,
    openMs: b.openMs,
    openPaise: b.open as PricePaise,
    highPaise: b.high as PricePaise,
    lowPaise: b.low as PricePaise,
    closePaise: b.close as PricePaise,
    volume: b.volume,
  }
  if (b.oi >= 0) payload.oi = b.oi
  if (b.prevIndex >= 0 && b.index - b.prevIndex > 1) payload.afterGap = true
  return { type: 'BarClosed', ts: b.endMs, payload }
}

/** Emits the open bucket (if any) and remembers its index for the next bar's gap flag. */
export const closeBucket = (key: InstrumentKey, b: Bucket, out: BarDraft[]): void => {
  if (!b.active) return
  out.push(barDraft(key, b))
  b.prevIndex = b.index
  b.active = false
}

/**
 * Adds a finished lower-timeframe bar (already known to lie inside `session` of `day`) to a higher-timeframe
 * bucket. A bar of another bucket or day closes the open one first.
 */
export const addBarToBucket = (
  key: InstrumentKey,
  b: Bucket,
  session: SessionBounds,
  day: number,
  barOpenMs: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  oi: number,
  out: BarDraft[],
): void => {
  const index = b.tfMs === Number.POSITIVE_INFINITY ? 0 : Math.floor((barOpenMs - session.openMs) / b.tfMs)
  if (b.active && (b.day !== day || b.index !== index)) closeBucket(key, b, out)
  if (b.day !== day) {
    b.day = day
    b.prevIndex = -1
  }
  if (!b.active) {
    b.active = true
    b.index = index
    b.openMs = b.tfMs === Number.POSITIVE_INFINITY ? session.openMs : session.openMs + index * b.tfMs
    b.endMs = Math.min(b.openMs + b.tfMs, session.closeMs)
    b.open = open
    b.high = high
    b.low = low
    b.close = close
    b.volume = volume
    b.oi = oi
    return
  }
  if (high > b.high) b.high = high
  if (low < b.low) b.low = low
  b.close = close
  b.volume += volume
  if (oi >= 0) b.oi = oi
}
