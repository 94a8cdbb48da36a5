import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { createTradingCalendar, parseCalendarCsv, type TradingCalendar } from '../../domain/calendar/index.js'

// Reads the NSE trading calendar (a CSV, see data/calendar/README.md) from disk and builds the domain calendar.
// Which file: the caller's path, else $BAHI_CALENDAR, else the copy packaged with bahi. Failures are values.

/** The environment variable that points bahi at another calendar file. */
export const CALENDAR_ENV_VAR = 'BAHI_CALENDAR'

/** Where the chosen path came from, so an error can say which setting to fix. */
export type CalendarSource = 'argument' | 'env' | 'packaged'

export type CalendarLoadError =
  | { readonly _tag: 'CalendarFileMissing'; readonly path: string; readonly source: CalendarSource }
  | {
      readonly _tag: 'CalendarUnreadable'
      readonly path: string
      readonly source: CalendarSource
      readonly reason: string
    }
  | {
      readonly _tag: 'CalendarInvalid'
      readonly path: string
      readonly source: CalendarSource
      readonly line: number
      readonly reason: string
    }
  | { readonly _tag: 'PackageRootNotFound'; readonly from: string }

const describeSource = (source: CalendarSource): string =>
  source === 'argument' ? 'given path' : source === 'env' ? CALENDAR_ENV_VAR : 'packaged calendar'

export const describeCalendarLoadError = (e: CalendarLoadError): string => {
  switch (e._tag) {
    case 'CalendarFileMissing':
      return `calendar file ${e.path} (${describeSource(e.source)}) does not exist`
    case 'CalendarUnreadable':
      return `calendar file ${e.path} (${describeSource(e.source)}) cannot be read: ${e.reason}`
    case 'CalendarInvalid':
      return `calendar file ${e.path} line ${e.line}: ${e.reason}`
    case 'PackageRootNotFound':
      return `no package.json found in ${e.from} or any directory above it, so the packaged calendar cannot be located`
  }
}

/**
 * The nearest directory at or above `fromDir` holding a package.json, or undefined. Used instead of a fixed
 * number of `..` because this module runs both from `src/adapters/calendar/` (tests) and from
 * `dist/src/adapters/calendar/` (the build).
 */
export const findPackageRoot = (fromDir: string): string | undefined => {
  for (let dir = resolve(fromDir); ; ) {
    if (existsSync(join(dir, 'package.json'))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** Path of the calendar shipped with the package, relative to the package root. */
export const PACKAGED_CALENDAR = join('data', 'calendar', 'nse-calendar.csv')

/** The packaged calendar's absolute path, found from this module's own location. */
export const packagedCalendarPath = (): E.Either<CalendarLoadError, string> => {
  const here = dirname(fileURLToPath(import.meta.url))
  const root = findPackageRoot(here)
  return root === undefined
    ? E.left({ _tag: 'PackageRootNotFound', from: here })
    : E.right(join(root, PACKAGED_CALENDAR))
}

export interface LoadCalendarOptions {
  /** A calendar file; relative paths resolve against the working directory. Wins over the env var. */
  readonly path?: string
  /** Where to look up `BAHI_CALENDAR`; defaults to `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
}

/** Which file `loadCalendar` would read with these options, and why. */
export const resolveCalendarPath = (
  options: LoadCalendarOptions = {},
): E.Either<CalendarLoadError, { readonly path: string; readonly source: CalendarSource }> => {
  if (options.path !== undefined && options.path !== '')
    return E.right({ path: resolve(options.path), source: 'argument' })
  const fromEnv = (options.env ?? process.env)[CALENDAR_ENV_VAR]
  if (fromEnv !== undefined && fromEnv !== '') return E.right({ path: resolve(fromEnv), source: 'env' })
  return E.map((path: string) => ({ path, source: 'packaged' as const }))(packagedCalendarPath())
}

/** Reads and parses a calendar CSV into a `TradingCalendar`; every failure names the file (and line). */
export const loadCalendar = (options: LoadCalendarOptions = {}): E.Either<CalendarLoadError, TradingCalendar> => {
  const where = resolveCalendarPath(options)
  if (E.isLeft(where)) return where
  const { path, source } = where.right
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    return E.left(
      err.code === 'ENOENT'
        ? { _tag: 'CalendarFileMissing', path, source }
        : { _tag: 'CalendarUnreadable', path, source, reason: err.message },
    )
  }
  const rows = parseCalendarCsv(text)
  if (E.isLeft(rows)) {
    return E.left({ _tag: 'CalendarInvalid', path, source, line: rows.left.line, reason: rows.left.reason })
  }
  return E.right(createTradingCalendar(rows.right))
}
