import * as E from 'fp-ts/lib/Either.js'
import { type BarClosed, SESSION_BUCKET_MS, type Timeframe } from '../../domain/events/index.js'
import type { InstrumentKey } from '../../domain/ids/index.js'
import {
  addBarToBucket,
  type BarDraft,
  type Bucket,
  closeBucket,
  createBucket,
  createSessionCache,
  istDay,
  type SessionLookup,
} from './barBucket.js'

// Batch resampling of finished bars to a higher timeframe aligned to the session open (09:15 anchor, not the clock
// hour): 1m -> 3m/5m/15m/30m/1h/1d, or any source whose length divides the target's. Same bucket code as the live
// aggregator, so resampling stored 1m bars gives exactly the bars the market-data node emitted live.

export interface ResampleResult {
  readonly bars: readonly BarDraft[]
  /** Source bars not inside a session of the calendar (counted, not used). */
  readonly outOfSession: number
  /** Source bars older than one already folded for the same instrument (counted, not used). */
  readonly outOfOrder: number
  /** Source bars of another timeframe than the first bar's (counted, not used). */
  readonly otherTimeframe: number
}

export interface ResampleError {
  readonly _tag: 'ResampleNotAligned'
  readonly from: Timeframe
  readonly to: Timeframe
  readonly reason: string
}

/** True when `to` buckets are unions of whole `from` buckets (every session is a whole number of minutes). */
export const canResample = (from: Timeframe, to: Timeframe): boolean => {
  if (to === '1d') return true
  const f = SESSION_BUCKET_MS[from]
  const t = SESSION_BUCKET_MS[to]
  return t >= f && t % f === 0
}

interface Series {
  readonly bucket: Bucket
  lastOpenMs: number
}

/**
 * Folds `bars` (in time order per instrument; instruments may interleave) into `to` bars. A bucket is emitted as soon
 * as its last possible source bar arrives, else at the end. Gaps: `afterGap` when at least one whole `to` bucket of
 * the same session had no source bar.
 */
export const resampleBars = (
  bars: Iterable<BarClosed['payload']>,
  to: Timeframe,
  sessionOn: SessionLookup,
): E.Either<ResampleError, ResampleResult> => {
  const sessionOf = createSessionCache(sessionOn)
  const series = new Map<InstrumentKey, Series>()
  const out: BarDraft[] = []
  let from: Timeframe | undefined
  let outOfSession = 0
  let outOfOrder = 0
  let otherTimeframe = 0
  for (const bar of bars) {
    if (from === undefined) {
      from = bar.timeframe
      if (!canResample(from, to)) {
        return E.left({
          _tag: 'ResampleNotAligned',
          from,
          to,
          reason: `${to} buckets are not whole multiples of ${from} bars`,
        })
      }
    } else if (bar.timeframe !== from) {
      otherTimeframe++
      continue
    }
    const day = istDay(bar.openMs)
    const session = sessionOf(day)
    if (session === undefined || bar.openMs < session.openMs || bar.openMs >= session.closeMs) {
      outOfSession++
      continue
    }
    let s = series.get(bar.instrumentKey)
    if (s === undefined) {
      s = { bucket: createBucket(to), lastOpenMs: Number.NEGATIVE_INFINITY }
      series.set(bar.instrumentKey, s)
    }
    if (bar.openMs <= s.lastOpenMs) {
      outOfOrder++
      continue
    }
    s.lastOpenMs = bar.openMs
    const b = s.bucket
    addBarToBucket(
      bar.instrumentKey,
      b,
      session,
      day,
      bar.openMs,
      bar.openPaise,
      bar.highPaise,
      bar.lowPaise,
      bar.closePaise,
      bar.volume,
      bar.oi ?? -1,
      out,
    )
    const barEnd = Math.min(bar.openMs + SESSION_BUCKET_MS[from], session.closeMs)
    if (barEnd >= b.endMs) closeBucket(bar.instrumentKey, b, out)
  }
  for (const [key, s] of series) closeBucket(key, s.bucket, out)
  return E.right({ bars: out, outOfSession, outOfOrder, otherTimeframe })
}
