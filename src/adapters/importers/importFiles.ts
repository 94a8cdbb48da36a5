import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs'
import { extname, join, relative } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { describeMarketStoreError, type MarketStore } from '../marketStore/index.js'
import { type ImportFormat, isTickFormat, type RowIssue } from './importTypes.js'
import {
  detectFormat,
  type FileRows,
  ignoredReason,
  type ParseFileOptions,
  parseMarketFile,
} from './parseMarketFile.js'
import { parseSymbolTable } from './symbolTable.js'
import type { TicksNotInBars } from './tickRows.js'

// The thin I/O layer: list the files, read each, parse it (pure), write it in one transaction. A file that cannot
// be parsed, is rejected by the policy, or fails to write leaves the store as it was and is reported with its
// file, line and reason; the other files still import. Symbols resolve through the store's instruments table
// first (an imported Upstox instrument master), then the symbol table; the same table gives each instrument's tick.
//
// Counts: every data row read is, without `--bars`, exactly one of imported, unchanged, conflicting, rejected
// (skipped, or in a rejected file) or ignored (read but defined by its format as not data: Dhan `oi` packets).

export interface FileOutcome {
  readonly file: string
  readonly format: ImportFormat | null
  readonly status: 'imported' | 'rejected'
  /** Data rows read (header lines not counted), imported or not. */
  readonly rowsRead: number
  /** Rows handed to the store (bars + instruments + ticks) after the policy. */
  readonly rowsWritten: number
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
  readonly floatNoiseRoundings: number
  /** Rows read that the format defines as not data, and why; not stored, not errors. */
  readonly ignored: { readonly rows: number; readonly reason: string } | null
  /** A tick file imported with `--bars`: the stored ticks that its bars leave out (late, repeats, out of session). */
  readonly ticksNotInBars: TicksNotInBars | null
  /** Under `reject`: every issue of the file the policy rejected (the `error` names the first). */
  readonly rejectedIssues: readonly RowIssue[]
  readonly error: { readonly line: number; readonly reason: string } | null
}

export interface ImportSummary {
  readonly files: number
  readonly filesImported: number
  readonly filesRejected: number
  readonly rowsRead: number
  /** New rows stored. */
  readonly imported: number
  /** Rows already stored identically (a re-import). */
  readonly unchanged: number
  /** Rows whose key was already stored with other values; the stored row was kept (first write wins). */
  readonly conflicting: number
  /** Rows left out: skipped by the policy, plus every row of rejected files. */
  readonly rejected: number
  /** Rows of imported files that their format defines as not data (`FileOutcome.ignored`). */
  readonly ignored: number
  readonly flagged: number
  readonly floatNoiseRoundings: number
  /** With `--bars`: the stored ticks that the bars leave out, summed over the tick files; null without. */
  readonly ticksNotInBars: TicksNotInBars | null
  /** `imported`/`unchanged`/`conflicting` split by table (a tick file with `--bars` writes ticks and bars). */
  readonly byTable: Readonly<Record<StoredTable, TableCounts>>
  readonly outcomes: readonly FileOutcome[]
}

export type StoredTable = 'bars' | 'ticks' | 'instruments'

export interface TableCounts {
  readonly imported: number
  readonly unchanged: number
  readonly conflicting: number
}

export type ImportPathError =
  | { readonly _tag: 'PathMissing'; readonly path: string }
  | { readonly _tag: 'SymbolTableInvalid'; readonly path: string; readonly line: number; readonly reason: string }

export const describeImportPathError = (e: ImportPathError): string =>
  e._tag === 'PathMissing' ? `${e.path} does not exist` : `symbol table ${e.path} line ${e.line}: ${e.reason}`

const DATA_EXT = new Set(['.csv', '.txt', '.json'])

/** The order of `Array.prototype.sort` on the names (UTF-16 code units). */
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** Every data file under `path` (itself if a file), sorted, so an import is reproducible. */
export const listDataFiles = (path: string): string[] => {
  const st = statSync(path)
  if (!st.isDirectory()) return [path]
  const out: string[] = []
  const walk = (dir: string) => {
    // Entries know their type without a stat per file (700 stats were a few ms of the equity set's import); only a
    // symbolic link is stat'ed, to follow it as before.
    for (const e of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
      const p = join(dir, e.name)
      if (e.isDirectory() || (e.isSymbolicLink() && statSync(p).isDirectory())) walk(p)
      else if (DATA_EXT.has(extname(e.name).toLowerCase())) out.push(p)
    }
  }
  walk(path)
  return out
}

export const loadSymbolTable = (path: string): E.Either<ImportPathError, ReadonlyMap<string, string>> => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return E.left({ _tag: 'PathMissing', path })
  }
  return E.mapLeft(
    (f: { line: number; reason: string }): ImportPathError => ({
      _tag: 'SymbolTableInvalid',
      path,
      line: f.line,
      reason: f.reason,
    }),
  )(parseSymbolTable(text))
}

const rejected = (
  file: string,
  format: ImportFormat | null,
  rowsRead: number,
  line: number,
  reason: string,
  rejectedIssues: readonly RowIssue[] = [],
): FileOutcome => ({
  file,
  format,
  status: 'rejected',
  rowsRead,
  rowsWritten: 0,
  skipped: [],
  flagged: [],
  floatNoiseRoundings: 0,
  ignored: null,
  ticksNotInBars: null,
  rejectedIssues,
  error: { line, reason },
})

interface Prepared {
  readonly outcome: FileOutcome
  readonly rows: FileRows | undefined
}

/** True for the formats whose parsers skip a leading BOM themselves (line readers in parseContext.ts, tickFields.ts). */
const skipsBom = (format: ImportFormat | undefined): boolean => {
  if (format === undefined) return false
  if (isTickFormat(format)) return true
  switch (format) {
    case 'equity-1min-csv':
    case 'daily-csv':
    case 'index-1min-txt':
    case 'yfinance-csv':
    case 'eod-csv':
    case 'generic-csv':
      return true
    case 'upstox-candles-json':
    case 'upstox-instruments-json':
      return false
    default: {
      const never: never = format
      return never
    }
  }
}

/**
 * A file's text, as `readFileSync(path, 'utf8')` gives it, except that a UTF-8 BOM is left out for the formats that
 * skip one anyway. A BOM (U+FEFF) alone makes V8 decode the whole file into a two-byte string, about 3.5 times slower
 * than the rest of an ASCII file into a one-byte one: 105 ms against 30 ms for the equity set, whose files all start
 * with one. A JSON file keeps it: `JSON.parse` refuses a BOM, and such a file must be refused as before.
 */
const readText = (path: string, format: ImportFormat | undefined): string => {
  const buf = readFileSync(path)
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf
  if (!bom) return buf.toString('utf8')
  const rest = buf.toString('utf8', 3)
  return skipsBom(format ?? detectFormat(path, rest)) ? rest : `\uFEFF${rest}`
}

/** Reads and parses one file (no store access). */
export const prepareFile = (path: string, opts: ParseFileOptions, log: Logger): Prepared => {
  let text: string
  try {
    text = readText(path, opts.format)
  } catch (e) {
    return {
      outcome: rejected(path, null, 0, 0, `cannot read: ${e instanceof Error ? e.message : String(e)}`),
      rows: undefined,
    }
  }
  const parsed = parseMarketFile(path, text, opts)
  if (E.isLeft(parsed)) {
    const r = parsed.left
    log.warn({ file: path, line: r.line, reason: r.reason }, 'file rejected')
    return {
      outcome: rejected(
        path,
        opts.format ?? null,
        r.rowsRead,
        r.line,
        r.reason,
        r._tag === 'RejectedByPolicy' ? r.issues : [],
      ),
      rows: undefined,
    }
  }
  const rows = parsed.right
  const why = ignoredReason(rows.format)
  return {
    rows,
    outcome: {
      file: path,
      format: rows.format,
      status: 'imported',
      rowsRead: rows.rowsRead,
      rowsWritten: rows.bars.length + rows.instruments.length + rows.ticks.length,
      skipped: rows.skipped,
      flagged: rows.flagged,
      floatNoiseRoundings: rows.floatNoiseRoundings,
      ignored: rows.ignoredRows === 0 ? null : { rows: rows.ignoredRows, reason: why ?? 'not data in this format' },
      ticksNotInBars: rows.ticksNotInBars,
      rejectedIssues: [],
      error: null,
    },
  }
}

interface Totals {
  imported: number
  unchanged: number
  conflicting: number
  byTable?: Record<StoredTable, { imported: number; unchanged: number; conflicting: number }>
}

const noCounts = (): TableCounts => ({ imported: 0, unchanged: 0, conflicting: 0 })

export const summarise = (outcomes: readonly FileOutcome[], totals: Totals): ImportSummary => {
  let rowsRead = 0
  let rejectedRows = 0
  let ignored = 0
  let flagged = 0
  let noise = 0
  let filesRejected = 0
  let notInBars: { late: number; duplicates: number; outsideSession: number } | null = null
  for (const o of outcomes) {
    if (o.ticksNotInBars !== null) {
      notInBars ??= { late: 0, duplicates: 0, outsideSession: 0 }
      notInBars.late += o.ticksNotInBars.late
      notInBars.duplicates += o.ticksNotInBars.duplicates
      notInBars.outsideSession += o.ticksNotInBars.outsideSession
    }
    rowsRead += o.rowsRead
    flagged += new Set(o.flagged.map((x) => x.line)).size
    noise += o.floatNoiseRoundings
    if (o.status === 'rejected') {
      filesRejected++
      rejectedRows += o.rowsRead
    } else {
      rejectedRows += new Set(o.skipped.map((x) => x.line)).size
      ignored += o.ignored?.rows ?? 0
    }
  }
  return {
    files: outcomes.length,
    filesImported: outcomes.length - filesRejected,
    filesRejected,
    rowsRead,
    imported: totals.imported,
    unchanged: totals.unchanged,
    conflicting: totals.conflicting,
    rejected: rejectedRows,
    ignored,
    flagged,
    floatNoiseRoundings: noise,
    ticksNotInBars: notInBars,
    byTable: totals.byTable ?? { bars: noCounts(), ticks: noCounts(), instruments: noCounts() },
    outcomes,
  }
}

type Ranges = Map<string, [number, number]>

/**
 * Per series (bars: instrument and timeframe; ticks: instrument), the time range a file covers. The rows of a file
 * share their series, so its name and range are looked up when it changes, not per row (building the name per row
 * was about a tenth of the bulk import's time, with the garbage it left).
 */
const rangesOf = (rows: FileRows): Ranges => {
  const out: Ranges = new Map()
  const rangeOf = (k: string): [number, number] => {
    let r = out.get(k)
    if (r === undefined) {
      r = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
      out.set(k, r)
    }
    return r
  }
  let key = ''
  let tf = ''
  let r: [number, number] | undefined
  for (const b of rows.bars) {
    if (r === undefined || b.instrumentKey !== key || b.timeframe !== tf) {
      key = b.instrumentKey
      tf = b.timeframe
      r = rangeOf(`bar ${key} ${tf}`)
    }
    if (b.openMs < r[0]) r[0] = b.openMs
    if (b.openMs > r[1]) r[1] = b.openMs
  }
  r = undefined
  for (const t of rows.ticks) {
    if (r === undefined || t.instrumentKey !== key) {
      key = t.instrumentKey
      r = rangeOf(`tick ${key}`)
    }
    if (t.lttMs < r[0]) r[0] = t.lttMs
    if (t.lttMs > r[1]) r[1] = t.lttMs
  }
  return out
}

const overlaps = (group: ReadonlyMap<string, [number, number][]>, file: Ranges): boolean => {
  for (const [k, [lo, hi]] of file) {
    for (const [glo, ghi] of group.get(k) ?? []) if (lo <= ghi && glo <= hi) return true
  }
  return false
}

/**
 * Rows per transaction when several small files are written together (each file is still all or nothing). Each
 * transaction has a fixed cost (the staging round, the move into the file-backed table, the commit), and a series
 * split across two groups makes the second one take the anti-join: 300k rows (the whole equity set, 260,625 bars,
 * in one) cut the import's CPU time by about a quarter against 100k (docs/market-data.md, "Benchmark"). Two groups
 * at most are held at once (one being written, one filling), so memory stays bounded.
 */
export const GROUP_ROWS = 300_000

/** How an import is cut into transactions; the defaults are what the benchmark measured best. */
export interface ImportTuning {
  /** Rows per group (default `GROUP_ROWS`); smaller groups split series across transactions (tests use that). */
  readonly groupRows?: number
}

/**
 * Symbol -> key: the store's instruments first, then the symbol table; and key -> tick from the store's instruments
 * (an instrument without one is checked against the default tick, see parseMarketFile.ts).
 */
const instrumentsWith = async (
  store: MarketStore,
  opts: ParseFileOptions,
  log: Logger,
): Promise<Pick<ParseFileOptions, 'symbolKeys' | 'tickSizes'>> => {
  const table = opts.symbolKeys
  const [stored, ticks] = [await store.instrumentSymbols(), await store.instrumentTickSizes()]
  if (E.isLeft(ticks)) {
    // Reading the ticks failed: check against the default tick, and say so (rows may then be flagged off-tick).
    log.warn({ reason: describeMarketStoreError(ticks.left) }, 'instrument tick sizes not read from the store')
  }
  const tickSizes = E.isRight(ticks) && ticks.right.size > 0 ? { tickSizes: ticks.right } : {}
  if (E.isLeft(stored)) {
    // Reading the table failed: resolve through the symbol table alone, and say so (files may then be rejected).
    log.warn({ reason: describeMarketStoreError(stored.left) }, 'instrument symbols not read from the store')
    return { symbolKeys: table, ...tickSizes }
  }
  if (stored.right.size === 0) return { symbolKeys: table, ...tickSizes }
  return { symbolKeys: new Map([...table, ...stored.right]), ...tickSizes }
}

type Group = readonly { readonly index: number; readonly rows: FileRows }[]

/** Lists spread into one `concat` call at most at a time, far below any engine's argument limit. */
const CONCAT_LISTS = 1_000

/**
 * The files' rows as one list, in order: `concat` copies each list's elements in bulk, about 5 times faster than
 * pushing 260k rows one by one.
 */
const concatAll = <T>(lists: readonly (readonly T[])[]): T[] => {
  let out: T[] = []
  for (let i = 0; i < lists.length; i += CONCAT_LISTS) out = out.concat(...lists.slice(i, i + CONCAT_LISTS))
  return out
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * Imports a file or every data file under a directory. Each file is parsed whole first; a file that fails is
 * reported and never reaches the store. Parsed files are written in groups of about `GROUP_ROWS` rows, one
 * transaction per group, so a file is always stored completely or not at all; if a group's write fails, every file
 * of the group is reported rejected and the store is as before the group. While one group is being written (DuckDB
 * works on its own threads), the next files are read and parsed: writes stay in file order, one at a time. A file
 * that brings instruments is written before the next file is parsed, so the symbols it defines resolve at once.
 */
export const importPath = async (
  store: MarketStore,
  path: string,
  opts: ParseFileOptions,
  log: Logger,
  onProgress?: (done: number, total: number, file: string) => void,
  tuning: ImportTuning = {},
): Promise<E.Either<ImportPathError, ImportSummary>> => {
  const maxGroupRows = tuning.groupRows ?? GROUP_ROWS
  let files: string[]
  try {
    files = listDataFiles(path)
  } catch {
    return E.left({ _tag: 'PathMissing', path })
  }
  let parseOpts: ParseFileOptions = { ...opts, ...(await instrumentsWith(store, opts, log)) }
  const outcomes: FileOutcome[] = []
  const byTable = { bars: noCounts(), ticks: noCounts(), instruments: noCounts() }
  const totals: Required<Totals> = { imported: 0, unchanged: 0, conflicting: 0, byTable }
  const write = async (g: Group): Promise<void> => {
    const bars = concatAll(g.map((f) => f.rows.bars))
    const instruments = concatAll(g.map((f) => f.rows.instruments))
    const ticks = concatAll(g.map((f) => f.rows.ticks))
    const written = await store.write({ bars, instruments, ticks })
    if (E.isLeft(written)) {
      const reason = describeMarketStoreError(written.left)
      log.warn({ files: g.length, reason }, 'group write failed')
      for (const f of g) {
        const o = outcomes[f.index] as FileOutcome
        outcomes[f.index] = rejected(o.file, o.format, o.rowsRead, 0, reason)
      }
      return
    }
    const w = written.right
    const add = (t: StoredTable, c: TableCounts) => {
      byTable[t] = {
        imported: byTable[t].imported + c.imported,
        unchanged: byTable[t].unchanged + c.unchanged,
        conflicting: byTable[t].conflicting + c.conflicting,
      }
      totals.imported += c.imported
      totals.unchanged += c.unchanged
      totals.conflicting += c.conflicting
    }
    add('bars', { imported: w.barsInserted, unchanged: w.barsUnchanged, conflicting: w.barsConflicting })
    add('ticks', { imported: w.ticksInserted, unchanged: w.ticksUnchanged, conflicting: w.ticksConflicting })
    add('instruments', {
      imported: w.instrumentsInserted,
      unchanged: instruments.length - w.instrumentsInserted - w.instrumentsConflicting,
      conflicting: w.instrumentsConflicting,
    })
  }
  // The write in flight; the next one starts when it is done, so groups reach the store in order.
  let pending: Promise<void> = Promise.resolve()
  let group: { index: number; rows: FileRows }[] = []
  let groupRows = 0
  let groupHasInstruments = false
  const groupRanges = new Map<string, [number, number][]>()
  const flush = async (wait: boolean) => {
    if (group.length > 0) {
      const g: Group = group
      pending = pending.then(() => write(g))
      group = []
      groupRows = 0
      groupHasInstruments = false
      groupRanges.clear()
    }
    if (wait) await pending
  }
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as string
    const p = prepareFile(file, parseOpts, log)
    outcomes.push(p.outcome)
    if (p.rows !== undefined) {
      // Two files of one group must not hold the same key (the write refuses a batch that does): a file whose
      // ranges overlap the group's goes into the next group, which then sees the earlier rows in the store.
      const ranges = rangesOf(p.rows)
      if (overlaps(groupRanges, ranges)) await flush(false)
      for (const [k, r] of ranges) groupRanges.set(k, [...(groupRanges.get(k) ?? []), r])
      group.push({ index: i, rows: p.rows })
      groupRows += p.outcome.rowsWritten
      if (p.rows.instruments.length > 0) groupHasInstruments = true
      if (groupHasInstruments) {
        await flush(true)
        parseOpts = { ...parseOpts, ...(await instrumentsWith(store, opts, log)) }
      } else if (groupRows >= maxGroupRows) {
        // Keep at most one group waiting behind the one being written, so memory stays bounded.
        await pending
        await flush(false)
      }
    }
    onProgress?.(i + 1, files.length, relative(path, file) || file)
    // Parsing is synchronous: without a turn of the event loop here, the write in flight could not move on to its
    // next step (each DuckDB call resolves on the event loop) until this loop waited for it, so parsing and writing
    // would take turns instead of overlapping. One `setImmediate` per file costs microseconds.
    await turn()
  }
  await flush(true)
  // Rows that landed before stored ones (an earlier month, another instrument's history) left their timeframe out
  // of stream order; put it back once, here, rather than after every group (see marketStore's barOrder.ts).
  const ordered = await store.orderBars()
  if (E.isLeft(ordered)) log.warn({ reason: describeMarketStoreError(ordered.left) }, 'bars left out of stream order')
  else if (ordered.right.bars > 0) log.debug(ordered.right, 'bars put in stream order')
  return E.right(summarise(outcomes, totals))
}
