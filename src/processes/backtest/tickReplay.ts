import type { BarClosed, EventDraft, TickReceived } from '../../domain/events/index.js'
import { MINUTE_MS } from '../../domain/time/index.js'
import type { BarAggregator } from '../../projections/index.js'

// A backtest on stored ticks (`bahi backtest --data ticks`): the ticks in exchange-time order, and between them the
// bars the live session's aggregator builds from them (docs/bar-aggregation.md), so a strategy sees what it would
// see live: its bars from the same fold, and every trade to fill and mark on. Each tick comes after every bar that
// ended at or before its time, of any instrument, as the live session closes bars on the feed's clock; bars that
// close together go by instrument key, as a store's stream orders them.

/** Bars in the order a store's stream gives them: by close time, then instrument key. */
export const byTimeThenKey = (a: EventDraft<BarClosed>, b: EventDraft<BarClosed>): number =>
  a.ts - b.ts ||
  (a.payload.instrumentKey < b.payload.instrumentKey ? -1 : a.payload.instrumentKey > b.payload.instrumentKey ? 1 : 0)

const closed = (bars: readonly EventDraft<BarClosed>[], out: EventDraft<TickReceived | BarClosed>[]): void => {
  if (bars.length === 0) return
  const sorted = bars.length === 1 ? bars : [...bars].sort(byTimeThenKey)
  for (const b of sorted) out.push(b)
}

/**
 * The ticks with their bars, chunk for chunk. `endMs`: when the data ends (the end of the run's last day), at which
 * the last open bars close: a day in the past has no more trades to come.
 */
export async function* ticksWithBars(
  ticks: AsyncIterable<readonly EventDraft<TickReceived>[]>,
  aggregator: BarAggregator,
  endMs: number,
): AsyncGenerator<EventDraft<TickReceived | BarClosed>[]> {
  // Bars end on minute boundaries (the session's close is one too), so a flush can close something new only once a
  // tick is in a later minute than the last flush: one flush per minute, not per tick (a flush visits every instrument).
  let flushedMinute = Number.NEGATIVE_INFINITY
  for await (const chunk of ticks) {
    const out: EventDraft<TickReceived | BarClosed>[] = []
    for (const t of chunk) {
      const minute = Math.floor(t.payload.lttMs / MINUTE_MS)
      if (minute > flushedMinute) {
        flushedMinute = minute
        closed(aggregator.flush(t.payload.lttMs), out)
      }
      closed(aggregator.onTick(t.payload), out)
      out.push(t)
    }
    yield out
  }
  const last: EventDraft<BarClosed>[] = []
  closed(aggregator.flush(endMs), last)
  if (last.length > 0) yield last
}
