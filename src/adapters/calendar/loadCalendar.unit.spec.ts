import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it, vi } from 'vitest'
import {
  CALENDAR_ENV_VAR,
  type CalendarLoadError,
  describeCalendarLoadError,
  findPackageRoot,
  loadCalendar,
  PACKAGED_CALENDAR,
  packagedCalendarPath,
  resolveCalendarPath,
} from './index.js'

const HEADER = 'date,kind,description,session_open,session_close,source'
const tmp = mkdtempSync(join(tmpdir(), 'bahi-calendar-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

const writeCsv = (name: string, text: string): string => {
  const path = join(tmp, name)
  writeFileSync(path, text)
  return path
}
const loadError = (result: E.Either<CalendarLoadError, unknown>): CalendarLoadError => {
  if (E.isRight(result)) throw new Error('expected the load to fail')
  return result.left
}

/** This repository's root: the directory of the package.json that vitest runs from. */
const REPO_ROOT = resolve(process.cwd())

describe('findPackageRoot', () => {
  it('given a module directory under src/ or under dist/src/, then it finds the same package root', () => {
    const pkg = join(tmp, 'pkg')
    mkdirSync(join(pkg, 'src', 'adapters', 'calendar'), { recursive: true })
    mkdirSync(join(pkg, 'dist', 'src', 'adapters', 'calendar'), { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{"name":"bahi"}')
    expect(findPackageRoot(join(pkg, 'src', 'adapters', 'calendar'))).toBe(pkg)
    expect(findPackageRoot(join(pkg, 'dist', 'src', 'adapters', 'calendar'))).toBe(pkg)
  })

  it('given a directory with no package.json anywhere above it, then it is undefined', () => {
    // The file-system root is not expected to hold a package.json.
    expect(findPackageRoot(resolve('/'))).toBeUndefined()
  })
})

describe('resolveCalendarPath', () => {
  it('given nothing, then it is the packaged data/calendar/nse-calendar.csv of this repository', () => {
    expect(packagedCalendarPath()).toEqual(E.right(join(REPO_ROOT, PACKAGED_CALENDAR)))
    expect(resolveCalendarPath({ env: {} })).toEqual(
      E.right({ path: join(REPO_ROOT, 'data', 'calendar', 'nse-calendar.csv'), source: 'packaged' }),
    )
  })

  it('given BAHI_CALENDAR, then it wins over the packaged file', () => {
    expect(resolveCalendarPath({ env: { [CALENDAR_ENV_VAR]: '/srv/cal.csv' } })).toEqual(
      E.right({ path: resolve('/srv/cal.csv'), source: 'env' }),
    )
  })

  it('given an explicit path, then it wins over BAHI_CALENDAR, and a relative path resolves from the working dir', () => {
    expect(resolveCalendarPath({ path: 'my/cal.csv', env: { [CALENDAR_ENV_VAR]: '/srv/cal.csv' } })).toEqual(
      E.right({ path: resolve(process.cwd(), 'my/cal.csv'), source: 'argument' }),
    )
  })

  it('given an empty BAHI_CALENDAR, then it counts as unset', () => {
    expect(resolveCalendarPath({ env: { [CALENDAR_ENV_VAR]: '' } })).toMatchObject(E.right({ source: 'packaged' }))
  })

  it('given no env option, then it reads process.env', () => {
    vi.stubEnv(CALENDAR_ENV_VAR, '/from/process/env.csv')
    try {
      expect(resolveCalendarPath()).toEqual(E.right({ path: resolve('/from/process/env.csv'), source: 'env' }))
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('loadCalendar', () => {
  it('given no options, then it loads the packaged NSE calendar', () => {
    const calendar = loadCalendar({ env: {} })
    expect(E.isRight(calendar) && calendar.right.coverage?.from).toBe('2021-01-01')
  })

  it('given a file path, then it loads that file', () => {
    const path = writeCsv('one-holiday.csv', `${HEADER}\n2025-01-02,holiday,Test closure,,,data\n`)
    const calendar = loadCalendar({ path, env: {} })
    if (E.isLeft(calendar)) throw new Error(describeCalendarLoadError(calendar.left))
    expect(calendar.right.isTradingDay('2025-01-02')).toBe(false)
    expect(calendar.right.isTradingDay('2025-01-03')).toBe(true)
  })

  it('given BAHI_CALENDAR pointing at a file, then it loads that file', () => {
    const path = writeCsv('env.csv', `${HEADER}\n2025-01-03,holiday,Env closure,,,data\n`)
    const calendar = loadCalendar({ env: { [CALENDAR_ENV_VAR]: path } })
    expect(E.isRight(calendar) && calendar.right.isTradingDay('2025-01-03')).toBe(false)
  })

  it('given a path that does not exist, then the error says the file is missing and where the path came from', () => {
    const path = join(tmp, 'nope.csv')
    const err = loadError(loadCalendar({ env: { [CALENDAR_ENV_VAR]: path } }))
    expect(err).toEqual({ _tag: 'CalendarFileMissing', path, source: 'env' })
    expect(describeCalendarLoadError(err)).toBe(`calendar file ${path} (${CALENDAR_ENV_VAR}) does not exist`)
  })

  it('given a directory instead of a file, then the error says it cannot be read', () => {
    const err = loadError(loadCalendar({ path: tmp }))
    expect(err).toMatchObject({ _tag: 'CalendarUnreadable', path: tmp, source: 'argument' })
    expect(describeCalendarLoadError(err)).toContain(`calendar file ${tmp} (given path) cannot be read`)
  })

  it('given a malformed row, then the error names the file and the line', () => {
    const path = writeCsv(
      'bad-kind.csv',
      `${HEADER}\n2025-03-14,holiday,Holi,,,data\n2025-03-31,festival,"Id-Ul-Fitr, Ramzan Id",,,data\n`,
    )
    const err = loadError(loadCalendar({ path }))
    expect(err).toEqual({
      _tag: 'CalendarInvalid',
      path,
      source: 'argument',
      line: 3,
      reason: 'unknown kind "festival"',
    })
    expect(describeCalendarLoadError(err)).toBe(`calendar file ${path} line 3: unknown kind "festival"`)
  })

  it('given a file with the wrong header, then the error is on line 1', () => {
    const path = writeCsv('bad-header.csv', 'date,kind\n2025-03-14,holiday\n')
    expect(loadError(loadCalendar({ path }))).toMatchObject({ _tag: 'CalendarInvalid', line: 1 })
  })

  it('describes a missing package root', () => {
    expect(describeCalendarLoadError({ _tag: 'PackageRootNotFound', from: '/x/y' })).toContain('/x/y')
  })
})
