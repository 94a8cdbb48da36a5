import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { loadSymbolTable } from '../../../adapters/importers/index.js'
import {
  DEFAULT_TICK_HOLE_MS,
  describeMarketStoreError,
  hasGaps,
  type InstrumentGaps,
  type MarketStore,
  openMarketStore,
} from '../../../adapters/marketStore/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import { istDateOf, istMidnight } from '../../../domain/time/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { marketStorePath, packagedSymbolsPath, sealedInstrumentsDir, sealedMarketDir, sealedTicksDir } from '../home.js'

// `bahi data coverage [--instrument KEY|SYMBOL] [--json]`: instruments, timeframes, date ranges, bar and day counts;
// and the same for ticks.
// `bahi data gaps [--instrument KEY|SYMBOL] [--from DATE] [--to DATE] [--tick-gap SECONDS] [--json]`: against the NSE
// calendar, the 1-minute bars' missing days and minutes, bars on closed days or outside the session, flagged bars;
// the daily bars' missing days; the ticks' missing days and holes longer than --tick-gap (default 60 s) in a session.
// Flags are checked before the store is opened: a bad date, an unknown symbol or an instrument with nothing stored is
// refused with a reason, not read as "nothing found". Exit 0 (gaps: none found), 1 (gaps: some found), 2 (bad usage,
// no store, bad calendar).

export interface DataCoverageOptions {
  readonly home: string
  readonly json: boolean
  /** An instrument key, or a trading symbol resolved as `bahi import` does (see `resolveInstrument`). */
  readonly instrument?: string
}

export interface DataGapsOptions {
  readonly home: string
  readonly json: boolean
  /** An instrument key, or a trading symbol resolved as `bahi import` does (see `resolveInstrument`). */
  readonly instrument?: string
  readonly from?: string
  readonly to?: string
  /** Seconds; a hole in a session's ticks longer than this is reported (default 60). */
  readonly tickGap?: string
  readonly calendar?: string
}

/** The flags each `data` subcommand reads, beyond --home and --json; any other flag given is refused. */
export const DATA_FLAGS: Readonly<Record<'coverage' | 'gaps' | 'seal', readonly string[]>> = {
  coverage: ['instrument'],
  gaps: ['instrument', 'from', 'to', 'tick-gap'],
  seal: ['before'],
}

/** The reason to refuse flags given to `data <sub>` that it does not read, or undefined when all are its own. */
export const unexpectedDataFlags = (sub: keyof typeof DATA_FLAGS, given: readonly string[]): string | undefined => {
  const own = new Set(['home', 'json', ...DATA_FLAGS[sub]])
  const extra = given.filter((f) => !own.has(f))
  if (extra.length === 0) return undefined
  const takes = DATA_FLAGS[sub].length === 0 ? 'no options' : DATA_FLAGS[sub].map((f) => `--${f}`).join(', ')
  return `bahi data ${sub}: ${extra.map((f) => `--${f}`).join(', ')} is not an option of data ${sub} (it takes ${takes})`
}

const dateFlag = (command: string, name: string, value: string | undefined): E.Either<string, string | undefined> =>
  value === undefined || istMidnight(value) !== undefined
    ? E.right(value)
    : E.left(`bahi data ${command}: --${name} must be a date (YYYY-MM-DD), got "${value}"`)

interface GapFlags {
  readonly from?: string
  readonly to?: string
  readonly tickHoleMs: number
}

/** The gaps flags that need no store: dates that exist, in order, and a positive whole number of seconds. */
const gapFlags = (o: DataGapsOptions): E.Either<string, GapFlags> => {
  const from = dateFlag('gaps', 'from', o.from)
  if (E.isLeft(from)) return from
  const to = dateFlag('gaps', 'to', o.to)
  if (E.isLeft(to)) return to
  if (from.right !== undefined && to.right !== undefined && from.right > to.right) {
    return E.left(`bahi data gaps: --from ${from.right} is after --to ${to.right}`)
  }
  const seconds = o.tickGap === undefined ? DEFAULT_TICK_HOLE_MS / 1000 : Number(o.tickGap)
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    return E.left(`bahi data gaps: --tick-gap must be a positive whole number of seconds, got "${o.tickGap}"`)
  }
  return E.right({
    ...(from.right === undefined ? {} : { from: from.right }),
    ...(to.right === undefined ? {} : { to: to.right }),
    tickHoleMs: seconds * 1000,
  })
}

/**
 * `--instrument` as a stored instrument key. A key is taken as it is; anything else is a trading symbol, looked up
 * the way `bahi import` resolved the files' symbols when it stored them: the store's instruments (an imported Upstox
 * master) first, then data/instruments/nse-symbols.csv (the table `bahi backtest` reads). Either way the key must
 * have bars or ticks in the store, so a typo is refused instead of reported as an empty store.
 */
const resolveInstrument = async (
  command: string,
  store: MarketStore,
  wanted: string,
  stored: ReadonlySet<string>,
): Promise<E.Either<string, string>> => {
  let key: string | undefined = wanted
  if (!InstrumentKey.is(wanted)) {
    const symbols = await store.instrumentSymbols()
    if (E.isLeft(symbols)) return E.left(`bahi data ${command}: ${describeMarketStoreError(symbols.left)}`)
    const table = loadSymbolTable(packagedSymbolsPath())
    const upper = wanted.toUpperCase()
    key = symbols.right.get(upper) ?? (E.isRight(table) ? table.right.get(upper) : undefined)
    if (key === undefined) {
      return E.left(
        `bahi data ${command}: --instrument "${wanted}" is neither an instrument key (like NSE_EQ|INE002A01018) nor a ` +
          `symbol of the store's instruments or of data/instruments/nse-symbols.csv` +
          (E.isLeft(table) ? ` (the symbol table could not be read: ${table.left._tag})` : ''),
      )
    }
  }
  if (!stored.has(key)) {
    return E.left(
      `bahi data ${command}: no bars or ticks for ${key}${key === wanted ? '' : ` (${wanted})`} in ${store.path}` +
        (stored.size === 0 ? '' : ` (stored: ${[...stored].sort().join(', ')})`),
    )
  }
  return E.right(key)
}

/** Every instrument key with bars or ticks, from the coverage queries. */
const storedKeys = async (store: MarketStore): Promise<E.Either<string, Set<string>>> => {
  const rows = await store.coverage()
  if (E.isLeft(rows)) return E.left(describeMarketStoreError(rows.left))
  const ticks = await store.tickCoverage()
  if (E.isLeft(ticks)) return E.left(describeMarketStoreError(ticks.left))
  return E.right(new Set([...rows.right, ...ticks.right].map((r) => r.instrumentKey)))
}

const withStore = async (
  command: string,
  home: string,
  io: CliIo,
  log: Logger,
  run: (store: MarketStore) => Promise<ExitCode>,
): Promise<ExitCode> => {
  const path = marketStorePath(home)
  if (!existsSync(path)) {
    io.err(`bahi data ${command}: no market store at ${path} (run bahi import first)`)
    return 2
  }
  // Coverage and gaps only read, so several may run at once; sealing keeps the writer's access, as the
  // market-data node that seals its finished days does.
  const opened = await openMarketStore(path, log.child({ component: 'marketStore' }), { readOnly: command !== 'seal' })
  if (E.isLeft(opened)) {
    io.err(`bahi data ${command}: ${describeMarketStoreError(opened.left)}`)
    return 2
  }
  try {
    return await run(opened.right)
  } finally {
    opened.right.close()
  }
}

export const dataCoverageCommand = (o: DataCoverageOptions, io: CliIo, log: Logger): Promise<ExitCode> =>
  withStore('coverage', o.home, io, log, async (store) => {
    const rows = await store.coverage()
    if (E.isLeft(rows)) {
      io.err(`bahi data coverage: ${describeMarketStoreError(rows.left)}`)
      return 2
    }
    const ticks = await store.tickCoverage()
    if (E.isLeft(ticks)) {
      io.err(`bahi data coverage: ${describeMarketStoreError(ticks.left)}`)
      return 2
    }
    let only: string | undefined
    if (o.instrument !== undefined) {
      const keys = new Set([...rows.right, ...ticks.right].map((r) => r.instrumentKey))
      const key = await resolveInstrument('coverage', store, o.instrument, keys)
      if (E.isLeft(key)) {
        io.err(key.left)
        return 2
      }
      only = key.right
    }
    const r = rows.right.filter((c) => only === undefined || c.instrumentKey === only)
    const t = ticks.right.filter((c) => only === undefined || c.instrumentKey === only)
    printResult(io, o.json, { store: store.path, series: r, ticks: t }, [
      `${r.length} bar series and ${t.length} tick series in ${store.path}`,
      ...r.map(
        (c) =>
          `  ${c.instrumentKey.padEnd(24)} ${c.timeframe.padEnd(4)} ${c.fromDate} .. ${c.toDate}  ${c.bars} bars, ${c.days} days` +
          (c.flaggedBars > 0 ? `, ${c.flaggedBars} flagged` : ''),
      ),
      ...t.map(
        (c) => `  ${c.instrumentKey.padEnd(24)} tick ${c.fromDate} .. ${c.toDate}  ${c.ticks} ticks, ${c.days} days`,
      ),
    ])
    return 0
  })

const SERIES_NAME: Readonly<Record<InstrumentGaps['series'], string>> = {
  '1m': '1-minute bars',
  '1d': 'daily bars',
  ticks: 'ticks',
}

const gapLines = (x: InstrumentGaps): string[] => {
  const missing = x.missingDays.length > 0 ? [`  missing days: ${x.missingDays.join(', ')}`] : []
  switch (x.series) {
    case '1m':
      return [
        `${x.instrumentKey} 1m ${x.fromDate} .. ${x.toDate}: ${x.daysWithBars}/${x.tradingDays} trading days with bars`,
        ...missing,
        ...x.partialDays.map(
          (p) =>
            `  ${p.date}: ${p.present}/${p.expected} minutes; missing ${p.missingMinutes.slice(0, 10).join(' ')}${p.missingMinutes.length > 10 ? ' …' : ''}`,
        ),
        ...(x.closedDaysWithBars.length > 0 ? [`  bars on closed days: ${x.closedDaysWithBars.join(', ')}`] : []),
        ...x.outsideSessionBars.map((b) => `  ${b.date}: ${b.count} bars outside the session`),
        ...x.flaggedBars.map((b) => `  ${b.date}: ${b.count} flagged bars`),
      ]
    case '1d':
      return [
        `${x.instrumentKey} 1d ${x.fromDate} .. ${x.toDate}: ${x.daysWithBars}/${x.tradingDays} trading days with a bar`,
        ...missing,
        ...(x.closedDaysWithBars.length > 0 ? [`  bars on closed days: ${x.closedDaysWithBars.join(', ')}`] : []),
        ...x.flaggedBars.map((b) => `  ${b.date}: ${b.count} flagged bar`),
      ]
    case 'ticks':
      return [
        `${x.instrumentKey} ticks ${x.fromDate} .. ${x.toDate}: ${x.daysWithTicks}/${x.tradingDays} trading days with ticks (${x.ticks} ticks)`,
        ...missing,
        ...(x.closedDaysWithTicks.length > 0 ? [`  ticks on closed days: ${x.closedDaysWithTicks.join(', ')}`] : []),
        ...x.holes.map((h) => `  ${h.date}: no tick ${h.from} .. ${h.to} (${h.seconds} s)`),
      ]
  }
}

export const dataGapsCommand = async (o: DataGapsOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  const flags = gapFlags(o)
  if (E.isLeft(flags)) {
    io.err(flags.left)
    return 2
  }
  const calendar = loadCalendar(o.calendar === undefined ? {} : { path: o.calendar })
  if (E.isLeft(calendar)) {
    io.err(`bahi data gaps: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  const { from, to, tickHoleMs } = flags.right
  return withStore('gaps', o.home, io, log, async (store) => {
    let instrumentKeys: string[] | undefined
    if (o.instrument !== undefined) {
      const keys = await storedKeys(store)
      if (E.isLeft(keys)) {
        io.err(`bahi data gaps: ${keys.left}`)
        return 2
      }
      const key = await resolveInstrument('gaps', store, o.instrument, keys.right)
      if (E.isLeft(key)) {
        io.err(key.left)
        return 2
      }
      instrumentKeys = [key.right]
    }
    const result = await store.gaps(calendar.right, {
      ...(instrumentKeys === undefined ? {} : { instrumentKeys }),
      ...(from === undefined ? {} : { fromDate: from }),
      ...(to === undefined ? {} : { toDate: to }),
      tickHoleMs,
    })
    if (E.isLeft(result)) {
      io.err(`bahi data gaps: ${describeMarketStoreError(result.left)}`)
      return 2
    }
    const g = result.right
    const cov = calendar.right.coverage
    // Outside the calendar's years only weekends count as closed, so holidays there read as missing days.
    const beyond =
      cov !== undefined && g.some((x) => x.fromDate < cov.from || x.toDate > cov.to)
        ? [`note: the calendar covers ${cov.from} .. ${cov.to}; outside it every weekday counts as a trading day`]
        : []
    const none = `no ${Object.values(SERIES_NAME).join(', ')} in the store`
    printResult(
      io,
      o.json,
      { store: store.path, calendar: cov ?? null, tickGapSeconds: tickHoleMs / 1000, instruments: g },
      g.length === 0 ? [none] : [...g.flatMap(gapLines), ...beyond],
    )
    return g.some(hasGaps) ? 1 : 0
  })
}

export interface DataSealOptions {
  readonly home: string
  readonly json: boolean
  /** Seal days strictly before this IST date; default today (IST), i.e. every finished day. */
  readonly before?: string
}

/** `bahi data seal [--before YYYY-MM-DD]`: finished days into hive-partitioned Parquet for reader processes. */
export const dataSealCommand = (o: DataSealOptions, io: CliIo, log: Logger): Promise<ExitCode> =>
  withStore('seal', o.home, io, log, async (store) => {
    const before = o.before ?? istDateOf(Date.now())
    if (istMidnight(before) === undefined) {
      io.err(`bahi data seal: --before must be a date (YYYY-MM-DD), got ${before}`)
      return 2
    }
    const dir = sealedMarketDir(o.home)
    const ticksDir = sealedTicksDir(o.home)
    const bars = await store.sealParquet(dir, before)
    if (E.isLeft(bars)) {
      io.err(`bahi data seal: ${describeMarketStoreError(bars.left)}`)
      return 1
    }
    const ticks = await store.sealTicksParquet(ticksDir, before)
    if (E.isLeft(ticks)) {
      io.err(`bahi data seal: ticks: ${describeMarketStoreError(ticks.left)}`)
      return 1
    }
    const instrumentsDir = sealedInstrumentsDir(o.home)
    const instruments = await store.sealInstrumentsParquet(instrumentsDir)
    if (E.isLeft(instruments)) {
      io.err(`bahi data seal: instruments: ${describeMarketStoreError(instruments.left)}`)
      return 1
    }
    const b = bars.right
    const t = ticks.right
    const i = instruments.right
    printResult(
      io,
      o.json,
      {
        sealed: dir,
        before,
        bars: b.rows,
        partitions: b.partitions,
        unchanged: b.unchanged,
        removed: b.removed,
        ticks: {
          sealed: ticksDir,
          ticks: t.rows,
          partitions: t.partitions,
          unchanged: t.unchanged,
          removed: t.removed,
        },
        instruments: { sealed: instrumentsDir, instruments: i.rows, unchanged: i.unchanged === 1 },
      },
      [
        `sealed ${b.rows} bars in ${b.partitions} new or changed partitions (days before ${before}) into ${dir}; ` +
          `${b.unchanged} already sealed and unchanged${b.removed > 0 ? `, ${b.removed} removed (no bars left)` : ''}`,
        `sealed ${t.rows} ticks in ${t.partitions} new or changed partitions into ${ticksDir}; ` +
          `${t.unchanged} already sealed and unchanged${t.removed > 0 ? `, ${t.removed} removed (no ticks left)` : ''}`,
        i.partitions === 1
          ? `sealed ${i.rows} instruments into ${instrumentsDir}`
          : `instruments: ${i.unchanged === 1 ? 'already sealed and unchanged' : 'none in the store'}`,
      ],
    )
    return 0
  })
