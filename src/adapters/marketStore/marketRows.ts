import type { Timeframe } from '../../domain/events/index.js'

// The rows the store takes in: what importers produce after parsing and applying their policy. Plain records with
// integer paise and epoch-ms times; the store checks nothing about their meaning, only their keys.

export interface BarRow {
  readonly instrumentKey: string
  readonly timeframe: Timeframe
  /** Bar start, epoch ms. */
  readonly openMs: number
  readonly openPaise: number
  readonly highPaise: number
  readonly lowPaise: number
  readonly closePaise: number
  readonly volume: number
  readonly oi: number
  /** `BAR_FLAGS` bits; 0 for a clean bar. */
  readonly flags: number
}

export interface InstrumentRow {
  readonly instrumentKey: string
  readonly exchange: string
  readonly segment: string
  readonly tradingSymbol: string
  readonly name: string | null
  readonly isin: string | null
  readonly lotSize: number | null
  readonly tickSizePaise: number | null
  readonly instrumentType: string | null
  readonly expiryMs: number | null
  readonly strikePaise: number | null
}

export interface TickRow {
  readonly instrumentKey: string
  readonly lttMs: number
  /** Order among ticks with the same last-trade time in the source (0, 1, …): part of the key. */
  readonly seq: number
  readonly ltpPaise: number
  readonly ltq: number
  readonly volume: number | null
  readonly oi: number | null
}

/** Everything one file contributes; written in one transaction. */
export interface MarketBatch {
  readonly bars?: readonly BarRow[]
  readonly instruments?: readonly InstrumentRow[]
  readonly ticks?: readonly TickRow[]
}

export interface WriteResult {
  readonly barsInserted: number
  /** Rows identical to what was already stored (a re-import). */
  readonly barsUnchanged: number
  /** Rows whose key was stored with other values; the stored row was kept (first write wins). */
  readonly barsConflicting: number
  readonly instrumentsInserted: number
  readonly instrumentsConflicting: number
  readonly ticksInserted: number
  /** Ticks identical to what was already stored (a re-import). */
  readonly ticksUnchanged: number
  /** Ticks whose key was stored with other values; the stored tick was kept. */
  readonly ticksConflicting: number
}
