import type { EventDraft, TickReceived } from '../../domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'

// What a tick-file parser returns: tick drafts in file order, each line it could not read (with its 1-based line
// number and the reason), lines the format defines as not ticks, and how many prices carried float noise below
// the paisa and were rounded. A parser never reads files and never throws.

export type TickFileFormat = 'nifty-index-1s' | 'kite-futures-ticks' | 'dhan-futures-ticks'

export const TICK_FILE_FORMATS: readonly TickFileFormat[] = [
  'nifty-index-1s',
  'kite-futures-ticks',
  'dhan-futures-ticks',
]

export type TickDraft = EventDraft<TickReceived>

export interface LineProblem {
  readonly line: number
  readonly reason: string
}

export interface ParsedTicks {
  readonly format: TickFileFormat
  /** Data lines read (header and blank lines not counted). */
  readonly rowsRead: number
  readonly ticks: readonly TickDraft[]
  /** The 1-based source line of each tick, parallel to `ticks`. */
  readonly lines: readonly number[]
  /** Lines that could not be read: not imported. */
  readonly rejections: readonly LineProblem[]
  /** Well-formed lines that are not trades (e.g. Dhan `oi` packets): counted, not imported. */
  readonly skipped: readonly LineProblem[]
  /** Price fields that had digits below the paisa and were rounded to the nearest paisa. */
  readonly pricesRounded: number
}

/** A file that is not the format at all (wrong or missing header): nothing is read from it. */
export interface TickFileUnreadable {
  readonly _tag: 'TickFileUnreadable'
  readonly line: number
  readonly reason: string
}

/** Upstox key of the NIFTY 50 index. */
export const NIFTY_50_KEY: InstrumentKey = unsafe.instrumentKey('NSE_INDEX|Nifty 50')

/**
 * NIFTY25DECFUT (NIFTY Dec-2025 future) as an Upstox NSE_FO key, `NSE_FO|<exchange token>`. The token 49543 is
 * derived, not looked up: the Kite file's `instrument_token` 12683010 = 49543 * 256 + 2, and Kite tokens are the
 * exchange token shifted left by 8 with the segment in the low byte (2 = NFO). Not cross-checked against an Upstox
 * instrument master (none is in the data). The Dhan file names no instrument; it is the same contract.
 */
export const NIFTY25DECFUT_KEY: InstrumentKey = unsafe.instrumentKey('NSE_FO|49543')

/** Kite's segment byte for NSE futures and options. */
export const KITE_SEGMENT_NFO = 2
