import * as t from 'io-ts'
import { istDayNumber, istMinuteOfDay } from '../time/index.js'
import { defineStrategy, paramsWithDefaults } from './strategy.js'

// opening-range-breakout: the high and low of the first `rangeMinutes` of the session (from its open in the context's
// session clock, so a Muhurat evening's range starts at 18:00; 09:15 IST when the engine has no calendar); afterwards
// the first close above the range goes long (below it, short with allowShort). One entry per instrument per day;
// the exits (stop, target, 15:15 square-off) close it.
//
// With `entry: 'stop'` the entry is a resting buy stop (SL-M) at the range high, placed on the first bar after the
// range: it fills on the trade that reaches the high (inside a bar under the touch fill model), and expires with the
// day if none does. Long only: both sides at once would need one order to cancel the other.

const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')

export const OrbParams = paramsWithDefaults(
  { rangeMinutes: PositiveInt, qty: PositiveInt, allowShort: t.boolean, entry: t.keyof({ close: null, stop: null }) },
  { rangeMinutes: 15, qty: 1, allowShort: false, entry: 'close' },
  'opening-range-breakout',
)
export type OrbParams = t.TypeOf<typeof OrbParams>

interface Range {
  day: number
  high: number
  low: number
  traded: boolean
}

interface OrbState {
  readonly params: OrbParams
  readonly ranges: Record<string, Range>
}

/** The regular session's open, for an engine without a calendar. */
const SESSION_OPEN_MINUTE = 9 * 60 + 15

export const openingRangeBreakoutStrategy = defineStrategy<OrbParams, OrbState>({
  kind: 'opening-range-breakout',
  description: 'Trades the first close beyond the opening range (first N minutes of the session), once a day.',
  params: t.refinement(
    OrbParams,
    (p) => !(p.entry === 'stop' && p.allowShort),
    'opening-range-breakout params (entry "stop" is long only: no allowShort)',
  ),
  init: (params) => ({ params, ranges: {} }),
  onBar: (s, bar, ctx) => {
    const p = s.params
    const day = istDayNumber(bar.openMs)
    const minute = istMinuteOfDay(bar.openMs)
    const openMinute = ctx.session === undefined ? SESSION_OPEN_MINUTE : istMinuteOfDay(ctx.session.openMs)
    let r = s.ranges[bar.instrumentKey]
    if (r === undefined || r.day !== day) {
      r = { day, high: 0, low: Number.MAX_SAFE_INTEGER, traded: false }
      s.ranges[bar.instrumentKey] = r
    }
    if (minute < openMinute + p.rangeMinutes) {
      if (minute >= openMinute) {
        r.high = Math.max(r.high, bar.highPaise)
        r.low = Math.min(r.low, bar.lowPaise)
      }
      return undefined
    }
    if (r.traded || r.high === 0 || ctx.positionQty !== 0) return undefined
    const range = `${(r.low / 100).toFixed(2)}-${(r.high / 100).toFixed(2)}`
    if (p.entry === 'stop') {
      r.traded = true
      return {
        intent: 'LONG',
        qty: p.qty,
        confidence: 1,
        reason: `buy stop at the high of the ${p.rangeMinutes}-minute opening range ${range}`,
        order: { type: 'SL-M', triggerPricePaise: r.high },
      }
    }
    if (bar.closePaise > r.high) {
      r.traded = true
      return {
        intent: 'LONG',
        qty: p.qty,
        confidence: 1,
        reason: `close ${(bar.closePaise / 100).toFixed(2)} above the ${p.rangeMinutes}-minute opening range ${range}`,
      }
    }
    if (p.allowShort && bar.closePaise < r.low) {
      r.traded = true
      return {
        intent: 'SHORT',
        qty: p.qty,
        confidence: 1,
        reason: `close ${(bar.closePaise / 100).toFixed(2)} below the ${p.rangeMinutes}-minute opening range ${range}`,
      }
    }
    return undefined
  },
})
