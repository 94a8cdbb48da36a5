import { createTradingCalendar } from '../../domain/calendar/index.js'
import { unsafe } from '../../domain/ids/index.js'
import { istInstant } from '../../domain/time/index.js'
import type { BarTick } from './barAggregator.js'

// Builders for bar tests: IST wall-clock times on a regular weekday, ticks with or without cumulative volume.

export const KEY = unsafe.instrumentKey('NSE_EQ|INE002A01018')
export const KEY2 = unsafe.instrumentKey('NSE_EQ|INE467B01029')
/** Every weekday a regular 09:15-15:30 session (no holiday rows). */
export const sessionOn = createTradingCalendar([]).sessionOn
export const DAY = '2025-01-02'
export const NEXT_DAY = '2025-01-03'

/** Epoch ms of `HH:MM[:SS]` IST on `date`, plus `ms`. */
export const at = (hhmmss: string, ms = 0, date = DAY): number => istInstant(date, hhmmss)! + ms

export const tick = (
  hhmmss: string,
  ltp: number,
  volume?: number,
  opts: { key?: typeof KEY; date?: string; ms?: number } = {},
): BarTick =>
  volume === undefined
    ? { instrumentKey: opts.key ?? KEY, ltpPaise: ltp, lttMs: at(hhmmss, opts.ms ?? 0, opts.date ?? DAY) }
    : { instrumentKey: opts.key ?? KEY, ltpPaise: ltp, lttMs: at(hhmmss, opts.ms ?? 0, opts.date ?? DAY), volume }
