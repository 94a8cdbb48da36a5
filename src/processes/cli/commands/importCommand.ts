import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeCalendarLoadError, findPackageRoot, loadCalendar } from '../../../adapters/calendar/index.js'
import {
  type ColumnMapping,
  decodeColumnMapping,
  describeImportPathError,
  IMPORT_FORMATS,
  type ImportFormat,
  importPath,
  loadSymbolTable,
  ROW_POLICIES,
  type RowPolicy,
  type TicksToBars,
} from '../../../adapters/importers/index.js'
import { type BarRow, describeMarketStoreError, openMarketStore } from '../../../adapters/marketStore/index.js'
import type { TradingCalendar } from '../../../domain/calendar/index.js'
import { TIMEFRAMES, type Timeframe } from '../../../domain/events/index.js'
import { InstrumentKey } from '../../../domain/ids/index.js'
import { type BarDraft, createBarAggregator } from '../../../projections/bars/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { marketStorePath } from '../home.js'

// `bahi import <path> [--format F] [--mapping JSON|FILE] [--timeframe TF] [--instrument KEY]
//   [--policy reject|skip|flag] [--bars] [--home DIR] [--json]`
// Imports a file, or every .csv/.txt/.json file under a directory, into `<home>/market/market.duckdb`: bars, an
// Upstox instrument master, or ticks. Each file is stored completely or not at all. `--mapping` gives a generic
// CSV's columns (and implies `--format generic-csv`); `--timeframe` gives Upstox candles' interval instead of
// reading it from their spacing. With `--bars`, a tick file's
// ticks are also folded into 1-minute bars by the live aggregator (the same fold the market-data node runs) and
// stored with them. Progress goes to stderr; the summary (or, with --json, one JSON object) to stdout.
// Exit 0 when every file imported, 1 when some file was rejected, 2 for bad usage or a missing path.

export interface ImportOptions {
  readonly path: string
  /** Already resolved (`resolveHome`). */
  readonly home: string
  readonly format?: string
  readonly instrument?: string
  /** Default `skip`: rows that look wrong are left out and listed. */
  readonly policy?: string
  readonly json: boolean
  /** Symbol -> key table; default: the packaged data/instruments/nse-symbols.csv. */
  readonly symbols?: string
  /** NSE calendar file; default as `loadCalendar` (BAHI_CALENDAR, else packaged). */
  readonly calendar?: string
  /** `--mapping`: a `ColumnMapping` as JSON text, or the path of a JSON file; for `--format generic-csv` only. */
  readonly mapping?: string
  /** `--timeframe`: Upstox candle files' interval. */
  readonly timeframe?: string
  /** Tick files: also store the 1-minute bars folded from their ticks. */
  readonly bars?: boolean
  /** `bar` redraws one stderr line, `lines` prints every 10 %, `none` is quiet; default `bar` on a TTY. */
  readonly progress?: 'bar' | 'lines' | 'none'
}

const MAX_LISTED = 20

/**
 * `--mapping`'s value: JSON text when it starts with `{`, else the path of a JSON file. A message naming what is
 * wrong (the file, the JSON, or the field) when it is not a mapping.
 */
const mappingOf = (value: string): E.Either<string, ColumnMapping> => {
  const inline = value.trimStart().startsWith('{')
  let text = value
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8')
    } catch (e) {
      return E.left(`--mapping: cannot read ${value} (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(`--mapping${inline ? '' : ` ${value}`} is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  return E.mapLeft((m: string) => `--mapping${inline ? '' : ` ${value}`}: ${m}`)(decodeColumnMapping(json))
}

/**
 * The aggregator's 1-minute bars of one tick file, as store rows (flags 0: they are built in session), and the ticks
 * its rules left out of them.
 */
const ticksToBarsWith =
  (calendar: TradingCalendar): TicksToBars =>
  (ticks) => {
    const agg = createBarAggregator({ sessionOn: calendar.sessionOn, timeframes: ['1m'] })
    const drafts: BarDraft[] = []
    for (const t of ticks) for (const b of agg.onTick(t.payload)) drafts.push(b)
    for (const b of agg.flush(Number.POSITIVE_INFINITY)) drafts.push(b)
    const st = agg.stats
    return {
      notInBars: { late: st.late, duplicates: st.duplicates, outsideSession: st.preOpen + st.postClose + st.noSession },
      bars: drafts.map(
        (d): BarRow => ({
          instrumentKey: d.payload.instrumentKey,
          timeframe: d.payload.timeframe,
          openMs: d.payload.openMs,
          openPaise: d.payload.openPaise,
          highPaise: d.payload.highPaise,
          lowPaise: d.payload.lowPaise,
          closePaise: d.payload.closePaise,
          volume: d.payload.volume,
          oi: d.payload.oi ?? 0,
          flags: 0,
        }),
      ),
    }
  }

const progressReporter = (mode: 'bar' | 'lines' | 'none', io: CliIo) => {
  let lastTenth = -1
  return (done: number, total: number, file: string) => {
    if (mode === 'none') return
    const pct = total === 0 ? 100 : Math.floor((done * 100) / total)
    if (mode === 'bar') {
      const width = 30
      const full = Math.round((pct * width) / 100)
      process.stderr.write(
        `\r[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${pct}% ${done}/${total} ${file.slice(-40).padEnd(40)}`,
      )
      if (done === total) process.stderr.write('\n')
      return
    }
    const tenth = Math.floor(pct / 10)
    if (tenth !== lastTenth || done === total) {
      lastTenth = tenth
      io.err(`import: ${pct}% (${done}/${total} files)`)
    }
  }
}

export const importCommand = async (o: ImportOptions, io: CliIo, log: Logger): Promise<ExitCode> => {
  if (o.format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(o.format)) {
    io.err(`bahi import: --format must be one of ${IMPORT_FORMATS.join(', ')}`)
    return 2
  }
  if (o.policy !== undefined && !(ROW_POLICIES as readonly string[]).includes(o.policy)) {
    io.err(`bahi import: --policy must be one of ${ROW_POLICIES.join(', ')}`)
    return 2
  }
  if (o.mapping !== undefined && o.format !== undefined && o.format !== 'generic-csv') {
    io.err(`bahi import: --mapping is for --format generic-csv, not ${o.format}`)
    return 2
  }
  const mapping = o.mapping === undefined ? undefined : mappingOf(o.mapping)
  if (mapping !== undefined && E.isLeft(mapping)) {
    io.err(`bahi import: ${mapping.left}`)
    return 2
  }
  if (o.timeframe !== undefined && !(TIMEFRAMES as readonly string[]).includes(o.timeframe)) {
    io.err(`bahi import: --timeframe must be one of ${TIMEFRAMES.join(', ')}`)
    return 2
  }
  if (o.timeframe !== undefined && o.format !== undefined && o.format !== 'upstox-candles-json') {
    io.err(`bahi import: --timeframe is for upstox-candles-json files; ${o.format} files carry their own timeframe`)
    return 2
  }
  if (o.instrument !== undefined && !InstrumentKey.is(o.instrument)) {
    io.err(`bahi import: --instrument "${o.instrument}" is not an instrument key (e.g. NSE_EQ|INE002A01018)`)
    return 2
  }
  if (!existsSync(o.path)) {
    io.err(`bahi import: ${o.path} does not exist`)
    return 2
  }
  const root = findPackageRoot(import.meta.dirname)
  const symbolsPath = o.symbols ?? (root === undefined ? '' : join(root, 'data', 'instruments', 'nse-symbols.csv'))
  const symbols = loadSymbolTable(symbolsPath)
  if (E.isLeft(symbols)) {
    io.err(`bahi import: ${describeImportPathError(symbols.left)}`)
    return 2
  }
  const calendar = loadCalendar(o.calendar === undefined ? {} : { path: o.calendar })
  if (E.isLeft(calendar)) {
    io.err(`bahi import: ${describeCalendarLoadError(calendar.left)}`)
    return 2
  }
  const storePath = marketStorePath(o.home)
  const opened = await openMarketStore(storePath, log.child({ component: 'marketStore' }))
  if (E.isLeft(opened)) {
    io.err(`bahi import: ${describeMarketStoreError(opened.left)}`)
    return 2
  }
  const store = opened.right
  const policy = (o.policy ?? 'skip') as RowPolicy
  try {
    const result = await importPath(
      store,
      o.path,
      {
        policy,
        symbolKeys: symbols.right,
        calendar: calendar.right,
        // A mapping is only read by the generic CSV parser: giving one says what the files are.
        ...(o.format === undefined && mapping === undefined
          ? {}
          : { format: (o.format ?? 'generic-csv') as ImportFormat }),
        ...(o.instrument === undefined ? {} : { instrumentKey: o.instrument }),
        ...(mapping === undefined ? {} : { mapping: mapping.right }),
        ...(o.timeframe === undefined ? {} : { timeframe: o.timeframe as Timeframe }),
        ...(o.bars === true ? { ticksToBars: ticksToBarsWith(calendar.right) } : {}),
      },
      log.child({ component: 'import' }),
      progressReporter(o.progress ?? (process.stderr.isTTY ? 'bar' : 'none'), io),
    )
    if (E.isLeft(result)) {
      io.err(`bahi import: ${describeImportPathError(result.left)}`)
      return 2
    }
    const s = result.right
    const errors = s.outcomes
      .filter((x) => x.error !== null)
      .map((x) => ({ file: x.file, line: x.error?.line ?? 0, reason: x.error?.reason ?? '' }))
    const issues = s.outcomes.flatMap((x) => [
      ...x.skipped.map((i) => ({ file: x.file, line: i.line, kind: i.kind, detail: i.detail, action: 'skipped' })),
      ...x.flagged.map((i) => ({ file: x.file, line: i.line, kind: i.kind, detail: i.detail, action: 'flagged' })),
      ...x.rejectedIssues.map((i) => ({
        file: x.file,
        line: i.line,
        kind: i.kind,
        detail: i.detail,
        action: 'rejected',
      })),
    ])
    const ignored = s.outcomes.flatMap((x) =>
      x.ignored === null ? [] : [{ file: x.file, rows: x.ignored.rows, reason: x.ignored.reason }],
    )
    const summary = {
      store: storePath,
      policy,
      files: s.files,
      filesImported: s.filesImported,
      filesRejected: s.filesRejected,
      rowsRead: s.rowsRead,
      imported: s.imported,
      unchanged: s.unchanged,
      conflicting: s.conflicting,
      rejected: s.rejected,
      ignored: s.ignored,
      flagged: s.flagged,
      floatNoiseRoundings: s.floatNoiseRoundings,
      ticksNotInBars: s.ticksNotInBars,
      byTable: s.byTable,
      errors,
      issues,
      ignoredRows: ignored,
    }
    const lines = [
      `imported ${o.path} into ${storePath} (policy ${policy})`,
      `files: ${s.files} (${s.filesImported} imported, ${s.filesRejected} rejected)`,
      `rows: ${s.rowsRead} read, ${s.imported} new, ${s.unchanged} already stored, ${s.conflicting} conflicting (kept as stored)`,
      `new rows by table: ${s.byTable.bars.imported} bars, ${s.byTable.ticks.imported} ticks, ${s.byTable.instruments.imported} instruments`,
      `rows left out: ${s.rejected}; not data (ignored): ${s.ignored}; flagged: ${s.flagged}; float-noise roundings: ${s.floatNoiseRoundings}`,
      ...(s.ticksNotInBars === null
        ? []
        : [
            `ticks stored but not in the bars: ${s.ticksNotInBars.late} late, ${s.ticksNotInBars.duplicates} repeats, ${s.ticksNotInBars.outsideSession} outside the session`,
          ]),
      ...errors.slice(0, MAX_LISTED).map((e) => `  rejected ${e.file}:${e.line}: ${e.reason}`),
      ...(errors.length > MAX_LISTED ? [`  … and ${errors.length - MAX_LISTED} more rejected files (see --json)`] : []),
      ...issues.slice(0, MAX_LISTED).map((i) => `  ${i.action} ${i.file}:${i.line}: ${i.kind}: ${i.detail}`),
      ...(issues.length > MAX_LISTED ? [`  … and ${issues.length - MAX_LISTED} more rows (see --json)`] : []),
    ]
    printResult(io, o.json, summary, lines)
    return s.filesRejected > 0 ? 1 : 0
  } finally {
    store.close()
  }
}
