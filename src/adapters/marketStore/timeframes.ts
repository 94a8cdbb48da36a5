import { TIMEFRAME_MS, type Timeframe } from '../../domain/events/index.js'
import { DAY_MS, IST_OFFSET_MS, MINUTE_MS } from '../../domain/time/index.js'

// Session-aligned buckets. Intraday timeframes are anchored at 09:15 IST, not at the clock hour: 1h bars start
// 09:15, 10:15, … 15:15 (the last one is 15 minutes long). A 1d bar is labelled 09:15 IST of its trading date,
// whatever the session's hours (Muhurat sessions included), and closes at 15:30 IST: one label per date. Lengths are
// the domain's `TIMEFRAME_MS` (label steps; `1d` = 24 h).

/** 09:15 IST as ms after UTC midnight (03:45 UTC). Every intraday timeframe divides a day, so one anchor serves all. */
export const SESSION_ANCHOR_MS = (9 * 60 + 15) * MINUTE_MS - IST_OFFSET_MS
const REGULAR_CLOSE_OFFSET_MS = 375 * MINUTE_MS

const mod = (a: number, m: number): number => ((a % m) + m) % m

/** The start of the bucket of timeframe `tf` containing the instant `ms`. */
export const bucketStartMs = (ms: number, tf: Timeframe): number => {
  if (tf === '1d') return Math.floor((ms + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS + (9 * 60 + 15) * MINUTE_MS
  const size = TIMEFRAME_MS[tf]
  return ms - mod(ms - SESSION_ANCHOR_MS, size)
}

/**
 * The close time of a bar (the `ts` of its `BarClosed`): start + timeframe, but a bucket that starts inside the
 * regular session never closes after 15:30 IST (the 15:15 hourly bar closes at 15:30; a 1d bar closes at 15:30).
 */
export const barCloseMs = (openMs: number, tf: Timeframe): number => {
  const end = openMs + TIMEFRAME_MS[tf]
  if (tf === '1m') return end
  const sessionOpen = bucketStartMs(openMs, '1d')
  const sessionClose = sessionOpen + REGULAR_CLOSE_OFFSET_MS
  return openMs >= sessionOpen && openMs < sessionClose && end > sessionClose ? sessionClose : end
}

/** SQL for the bucket start of `open_ms` (a BIGINT column) in timeframe `tf`; mirrors `bucketStartMs`. */
export const bucketSql = (tf: Timeframe, col = 'open_ms'): string => {
  if (tf === '1d') {
    return `((${col} + ${IST_OFFSET_MS}) // ${DAY_MS}) * ${DAY_MS} - ${IST_OFFSET_MS} + ${(9 * 60 + 15) * MINUTE_MS}`
  }
  const size = TIMEFRAME_MS[tf]
  return `${col} - (((${col} - ${SESSION_ANCHOR_MS}) % ${size}) + ${size}) % ${size}`
}
