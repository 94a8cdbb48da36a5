import type { InstrumentKey } from '../ids/index.js'
import { unsafeMoney } from '../money/index.js'
import type { EventDraft } from './eventCatalog.js'
import type { BarClosed, Timeframe } from './marketEvents.js'

// Bars column-wise: how the market store hands them over, one chunk at a time. A backtest steps them from the columns
// without first turning every row into a draft object (the drafts of a chunk were a tenth of the stream's cost and
// most of its memory); each row becomes its `BarClosed` here, in one place, so every consumer builds the same event.

/** Row i is the `BarClosed` of `keys[keyIndex[i]]`, labelled by its start `openMs[i]`, closing at `tsMs[i]`. */
export interface BarColumns {
  readonly length: number
  readonly keys: readonly InstrumentKey[]
  readonly timeframe: Timeframe
  readonly keyIndex: Int32Array
  readonly openMs: Float64Array
  /** The bar's close time: the event's `ts`. */
  readonly tsMs: Float64Array
  readonly openPaise: Float64Array
  readonly highPaise: Float64Array
  readonly lowPaise: Float64Array
  readonly closePaise: Float64Array
  readonly volume: Float64Array
  /** 0 when the bar carries no open interest (the payload then has no `oi`). */
  readonly oi: Float64Array
}

/** A chunk of input events is either drafts or bar columns; arrays are drafts. */
export const isBarColumns = <D>(chunk: BarColumns | readonly D[]): chunk is BarColumns => !Array.isArray(chunk)

/**
 * Row `i` as a `BarClosed` payload: a fresh object per row (a draft lives until its append), of one of
 * two fixed shapes (with or without `oi`) so the engine's property reads stay monomorphic.
 */
export const barPayloadAt = (b: BarColumns, i: number): BarClosed['payload'] => {
  const oi = b.oi[i] as number
  return oi > 0
    ? {
        instrumentKey: b.keys[b.keyIndex[i] as number] as InstrumentKey,
        timeframe: b.timeframe,
        openMs: b.openMs[i] as number,
        openPaise: unsafeMoney.price(b.openPaise[i] as number),
        highPaise: unsafeMoney.price(b.highPaise[i] as number),
        lowPaise: unsafeMoney.price(b.lowPaise[i] as number),
        closePaise: unsafeMoney.price(b.closePaise[i] as number),
        volume: b.volume[i] as number,
        oi,
      }
    : {
        instrumentKey: b.keys[b.keyIndex[i] as number] as InstrumentKey,
        timeframe: b.timeframe,
        openMs: b.openMs[i] as number,
        openPaise: unsafeMoney.price(b.openPaise[i] as number),
        highPaise: unsafeMoney.price(b.highPaise[i] as number),
        lowPaise: unsafeMoney.price(b.lowPaise[i] as number),
        closePaise: unsafeMoney.price(b.closePaise[i] as number),
        volume: b.volume[i] as number,
      }
}

/**
 * Rows `[from, to)` of bar columns as consecutive `BarClosed` events, each exactly the event `barPayloadAt` builds
 * (no correlation or causation id). A backtest hands its quiet bars to the journal this way: no object per bar.
 */
export interface BarRows {
  readonly columns: BarColumns
  readonly from: number
  readonly to: number
}

/** What a journal append takes: drafts, and runs of bar rows among them. */
export type AppendItem = EventDraft | BarRows

export const isBarRows = (item: AppendItem): item is BarRows => (item as Partial<BarRows>).columns !== undefined

/** How many events `items` hold: a draft is one, a run of rows one per row. */
export const appendItemEvents = (items: readonly AppendItem[]): number => {
  let n = 0
  for (const item of items) n += isBarRows(item) ? item.to - item.from : 1
  return n
}
