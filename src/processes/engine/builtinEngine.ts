import * as E from 'fp-ts/lib/Either.js'
import { describeCalendarLoadError, loadCalendar } from '../../adapters/calendar/index.js'
import type { Session, TradingCalendar } from '../../domain/calendar/index.js'
import {
  createStrategyRegistry,
  emaCrossStrategy,
  openingRangeBreakoutStrategy,
  rsiReversionStrategy,
  smaCrossStrategy,
  streakStrategy,
  vwapReversionStrategy,
} from '../../domain/strategies/index.js'
import type { IstDate } from '../../domain/time/index.js'
import { createEngine, type Engine, type EngineConfig } from '../../projections/index.js'

// The engine every CLI command uses: the built-in strategies, the default risk rules and the NSE calendar's sessions
// (the strategies' `ctx.session`). Replays must use the same configuration as the run they replay: the manifest's
// code version pins the strategies and rules, and the calendar is the one packaged with that version (or
// BAHI_CALENDAR's, which a replay must then be given too).

let calendar: TradingCalendar | undefined
/** Loaded on first use: the packaged file is part of the installation, so failing to read it is a broken install. */
const sessionOn = (date: IstDate): Session | undefined => {
  if (calendar === undefined) {
    const loaded = loadCalendar()
    if (E.isLeft(loaded)) throw new Error(`the engine's trading calendar: ${describeCalendarLoadError(loaded.left)}`)
    calendar = loaded.right
  }
  return calendar.sessionOn(date)
}

export const builtinEngineConfig: EngineConfig = {
  strategies: createStrategyRegistry([
    smaCrossStrategy,
    emaCrossStrategy,
    rsiReversionStrategy,
    openingRangeBreakoutStrategy,
    vwapReversionStrategy,
    streakStrategy,
  ]),
  sessionOn,
}

export const createBuiltinEngine = (): Engine => createEngine(builtinEngineConfig)
