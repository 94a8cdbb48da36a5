import { DAY_MS, MINUTE_MS } from '../time/index.js'
import type { Timeframe } from './marketEvents.js'

// A timeframe has two lengths, and mixing them up moves daily bars: the step between two bar labels (a `1d` label is
// 24 hours after the previous date's label) and the span of one bucket inside a session (a `1d` bucket is the whole
// session, however long: Muhurat and special sessions included). Intraday timeframes have the same value in both.

/** Label step in ms: `1d` is 24 h, the distance between two dates' 09:15 IST labels. */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '1d': DAY_MS,
}

/** Bucket span in ms within one session: `1d` is unbounded, so its bucket ends at the session close. */
export const SESSION_BUCKET_MS: Readonly<Record<Timeframe, number>> = {
  ...TIMEFRAME_MS,
  '1d': Number.POSITIVE_INFINITY,
}
