import { existsSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, loadCalendar } from '../../../adapters/calendar/index.js'
import { describeMarketStoreError, type MarketStore, openMarketStore } from '../../../adapters/marketStore/index.js'
import { istDateOf, istMidnight } from '../../../domain/time/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { marketStorePath } from '../home.js'

// `bahi data coverage [--json]`: instruments, timeframes, date ranges, bar and day counts; and the same for ticks.
// `bahi data gaps [--instrument KEY] [--from DATE] [--to DATE] [--json]`: missing trading days and minutes of the
// 1-minute bars against the NSE calendar, bars on closed days or outside the session, flagged bars per day.
// Exit 0 (gaps: no gaps found), 1 (gaps: some found), 2 (no store, bad calendar).

export interface DataCoverageOptions {
  readonly home: string
  readonly json: boolean
}

export interface DataGapsOptions {
  readonly home: string
  readonly json: boolean
  readonly instrument?: string
  readonly from?: string
  readonly to?: string
  readonly calendar?: string
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
  const opened = await openMarketStore(path, log.child({ component: 'marketStore' }))
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
    const r = rows.right
    const t = ticks.right
    printResult(io, o.json, { store: store.path, series: r, ticks: t }, [
      `${r.length} series in ${store.path}`,
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

export const dataGapsCommand = async (o: DataGapsOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  const calendar = loadCalendar(o.calendar === undefined ? {} : { path: o.calendar })
  if (E.isLeft(calendar)) {
    io.err(`bahi data gaps: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  return withStore('gaps', o.home, io, log, async (store) => {
    const result = await store.gaps(calendar.right, {
      ...(o.instrument === undefined ? {} : { instrumentKeys: [o.instrument] }),
      ...(o.from === undefined ? {} : { fromDate: o.from }),
      ...(o.to === undefined ? {} : { toDate: o.to }),
    })
    if (E.isLeft(result)) {
      io.err(`bahi data gaps: ${describeMarketStoreError(result.left)}`)
      return 2
    }
    const g = result.right
    const found = g.some(
      (x) =>
        x.missingDays.length + x.partialDays.length + x.closedDaysWithBars.length + x.outsideSessionBars.length > 0,
    )
    const lines = g.flatMap((x) => [
      `${x.instrumentKey} ${x.fromDate} .. ${x.toDate}: ${x.daysWithBars}/${x.tradingDays} trading days with bars`,
      ...(x.missingDays.length > 0 ? [`  missing days: ${x.missingDays.join(', ')}`] : []),
      ...x.partialDays.map(
        (p) =>
          `  ${p.date}: ${p.present}/${p.expected} minutes; missing ${p.missingMinutes.slice(0, 10).join(' ')}${p.missingMinutes.length > 10 ? ' …' : ''}`,
      ),
      ...(x.closedDaysWithBars.length > 0 ? [`  bars on closed days: ${x.closedDaysWithBars.join(', ')}`] : []),
      ...x.outsideSessionBars.map((b) => `  ${b.date}: ${b.count} bars outside the session`),
      ...x.flaggedBars.map((b) => `  ${b.date}: ${b.count} flagged bars`),
    ])
    printResult(
      io,
      o.json,
      { store: store.path, instruments: g },
      g.length === 0 ? ['no 1-minute bars in the store'] : lines,
    )
    return found ? 1 : 0
  })
}

export interface DataSealOptions {
  readonly home: string
  readonly json: boolean
  /** Seal days strictly before this IST date; default today (IST), i.e. every finished day. */
  readonly before?: string
}

/** The sealed Parquet directory of a data directory: what other processes read (see marketReader.ts). */
export const sealedMarketDir = (home: string): string => join(home, 'market', 'sealed')

/** `bahi data seal [--before YYYY-MM-DD]`: finished days into hive-partitioned Parquet for reader processes. */
export const dataSealCommand = (o: DataSealOptions, io: CliIo, log: Logger): Promise<ExitCode> =>
  withStore('seal', o.home, io, log, async (store) => {
    const before = o.before ?? istDateOf(Date.now())
    if (istMidnight(before) === undefined) {
      io.err(`bahi data seal: --before must be a date (YYYY-MM-DD), got ${before}`)
      return 2
    }
    const dir = sealedMarketDir(o.home)
    const r = await store.sealParquet(dir, before)
    if (E.isLeft(r)) {
      io.err(`bahi data seal: ${describeMarketStoreError(r.left)}`)
      return 1
    }
    printResult(io, o.json, { sealed: dir, before, ...r.right }, [
      `sealed ${r.right.bars} bars in ${r.right.partitions} partitions (days before ${before}) into ${dir}`,
    ])
    return 0
  })
