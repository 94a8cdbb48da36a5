import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bahi, type CliRun, type DemoSummary, repoRoot, runDemo, tempDirs } from './cliHarness.js'

// Bad usage or input: a clear message on stderr, exit code 2, and nothing at all on stdout (not even with --json).

const dirs = tempDirs()
let demo: DemoSummary

beforeAll(async () => {
  demo = await runDemo(dirs.make(), ['--days', '1'])
})
afterAll(() => dirs.cleanup())

const expectUsageError = (r: CliRun, message: RegExp): void => {
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(message)
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /)
  expect(r.code).toBe(2)
}

describe('bahi: bad usage', () => {
  it('an unknown command', async () => {
    expectUsageError(await bahi(['frobnicate', '--json']), /^bahi: unknown command "frobnicate"[\s\S]*usage: bahi/)
  })

  it('an unknown flag', async () => {
    expectUsageError(await bahi(['demo', '--json', '--frob']), /^bahi: Unknown option '--frob'/)
  })

  it('no command at all (usage goes to stderr)', async () => {
    expectUsageError(await bahi([]), /^usage: bahi <command>/)
  })

  it('--help is not an error: usage on stdout, exit 0', async () => {
    const r = await bahi(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^usage: bahi <command>/)
    expect(r.stderr).toBe('')
  })

  it('operator commands with a bad command line, before any session is asked', async () => {
    const dir = dirs.make()
    expectUsageError(await bahi(['kill-switch', '--json']), /bahi kill-switch: expected the journal directory/)
    expectUsageError(await bahi(['kill-switch', dir, 'halt', '--reason', 'x']), /expected engage or release, got halt/)
    expectUsageError(await bahi(['kill-switch', dir, 'engage']), /--reason is required: it is journalled/)
    expectUsageError(
      await bahi(['kill-switch', dir, 'engage', '--scope', 'desk', '--reason', 'x']),
      /--scope must be global, strategy or instrument, got desk/,
    )
    expectUsageError(
      await bahi(['kill-switch', dir, 'engage', '--scope', 'instrument', '--target', 'NOSUCH', '--reason', 'x']),
      /--target NOSUCH is neither an instrument key nor a known trading symbol/,
    )
    expectUsageError(
      await bahi(['strategy', dir, 'pause', 'x', '--reason', 'x']),
      /expected enable or disable, got pause/,
    )
    expectUsageError(await bahi(['strategy', dir, 'disable', '--reason', 'x']), /expected the strategy id/)
  })

  it('replay and explain without their arguments', async () => {
    const [replay, explain] = await Promise.all([bahi(['replay', '--json']), bahi(['explain', demo.journal])])
    expectUsageError(replay, /^bahi replay: expected one journal path/)
    expectUsageError(explain, /^bahi explain: expected a journal path and a seq or order id/)
  })
})

describe('bahi replay / explain: not a journal', () => {
  it('a missing path', async () => {
    const missing = path.join(dirs.make(), 'no-such-journal')
    expectUsageError(await bahi(['replay', missing, '--verify', '--json']), /no such journal/)
    expect(existsSync(missing)).toBe(false)
  })

  it('a plain file', async () => {
    const [replay, explain] = await Promise.all([
      bahi(['replay', 'package.json', '--json']),
      bahi(['explain', path.join(repoRoot, 'package.json'), '1']),
    ])
    expectUsageError(replay, /^bahi replay: package\.json is not a bahi journal: it is a file/)
    expectUsageError(explain, /^bahi explain: .*package\.json is not a bahi journal/)
  })

  it('a directory without segments', async () => {
    const empty = dirs.make()
    expectUsageError(await bahi(['replay', empty]), /is not a bahi journal: no seg-\*\.bahij segment files/)
  })

  it('a directory with a foreign seg-*.bahij file', async () => {
    const dir = dirs.make()
    const seg = path.join(dir, 'seg-00000000000000000001.bahij')
    writeFileSync(seg, Buffer.concat([Buffer.from('NOTBAHI!'), randomBytes(4096)]))
    const [plain, verify, explain] = await Promise.all([
      bahi(['replay', dir, '--json']),
      bahi(['replay', dir, '--verify']),
      bahi(['explain', dir, '1']),
    ])
    for (const r of [plain, verify, explain]) expectUsageError(r, /not a bahi journal: bad magic/)
    expect(plain.stderr).toContain(seg)
  })

  it('a foreign segment shorter than a header', async () => {
    const dir = dirs.make()
    mkdirSync(dir, { recursive: true })
    writeFileSync(path.join(dir, 'seg-00000000000000000001.bahij'), randomBytes(3))
    expectUsageError(await bahi(['replay', dir]), /not a bahi journal: file is 3 bytes, shorter than a segment header/)
  })
})

describe('bahi replay / explain: bad targets', () => {
  it('--until that is neither a seq nor a time', async () => {
    const [garbage, badHour, dateOnly] = await Promise.all([
      bahi(['replay', demo.journal, '--until', 'garbage', '--json']),
      bahi(['replay', demo.journal, '--until', '2025-01-01 25:00']),
      bahi(['replay', demo.journal, '--verify', '--until', '2025-01-01']),
    ])
    expectUsageError(garbage, /--until "garbage" is neither a seq nor a time/)
    expectUsageError(badHour, /--until "2025-01-01 25:00" is neither a seq nor a time/)
    expectUsageError(dateOnly, /--until "2025-01-01" is neither a seq nor a time/)
  })

  it('explain of a seq beyond the journal, or an unknown order id', async () => {
    const [beyond, zero, order] = await Promise.all([
      bahi(['explain', demo.journal, String(demo.events + 1), '--json']),
      bahi(['explain', demo.journal, '0']),
      bahi(['explain', demo.journal, 'no-such-order']),
    ])
    expectUsageError(
      beyond,
      new RegExp(`^bahi explain: not found: seq ${demo.events + 1} \\(the journal's last seq is ${demo.events}\\)`),
    )
    expectUsageError(zero, /^bahi explain: not found: seq 0/)
    expectUsageError(order, /^bahi explain: not found: order no-such-order/)
  })
})

describe('bahi demo: bad options (and no journal left behind)', () => {
  const demoError = async (args: readonly string[], message: RegExp): Promise<void> => {
    const home = dirs.make()
    expectUsageError(await bahi(['demo', '--json', '--home', home, ...args]), message)
    expect(existsSync(path.join(home, 'journals'))).toBe(false)
  }

  it('--days 0, --days 1.5, --seed -1 ... must be positive whole numbers', async () => {
    await Promise.all([
      demoError(['--days', '0'], /^bahi demo: --days must be a positive whole number, got "0"/),
      demoError(['--days', '1.5'], /^bahi demo: --days must be a positive whole number, got "1.5"/),
      demoError(['--seed=-1'], /^bahi demo: --seed must be a positive whole number, got "-1"/),
      demoError(['--capital', 'lots'], /^bahi demo: --capital must be a positive whole number, got "lots"/),
    ])
  })

  it('--from that is not a date', async () => {
    await Promise.all([
      demoError(['--from', '2025-13-01'], /^bahi demo: --from "2025-13-01" is not a date \(YYYY-MM-DD\)/),
      demoError(['--from', '2025-02-30'], /^bahi demo: --from "2025-02-30" is not a date/),
    ])
  })

  it('--capital too large to record in paise', async () => {
    await demoError(['--capital', '100000000000000'], /^bahi demo: --capital 100000000000000 is too large/)
  })
})

describe('bahi import: bad --mapping and --timeframe (and no store left behind)', () => {
  const importError = async (args: readonly string[], message: RegExp): Promise<void> => {
    const home = dirs.make()
    const file = path.join(home, 'bars.csv')
    writeFileSync(file, 'Date,Open,High,Low,Close\n2025-01-02,1,1,1,1\n')
    expectUsageError(await bahi(['import', file, '--json', '--home', home, ...args]), message)
    expect(existsSync(path.join(home, 'market'))).toBe(false)
  }
  const cols = { date: 'Date', open: 'Open', high: 'High', low: 'Low', close: 'Close' }

  it('--mapping with a format other than generic-csv', async () => {
    await importError(
      ['--format', 'eod-csv', '--mapping', JSON.stringify(cols)],
      /^bahi import: --mapping is for --format generic-csv, not eod-csv/,
    )
  })

  it('--mapping that is not JSON, not a readable file, or names a bad field', async () => {
    await Promise.all([
      importError(['--mapping', '{date:'], /^bahi import: --mapping is not JSON: /),
      importError(
        ['--mapping', '/nonexistent/mapping.json'],
        /^bahi import: --mapping: cannot read \/nonexistent\/mapping\.json/,
      ),
      importError(
        ['--mapping', JSON.stringify({ ...cols, timezone: 'PST' })],
        /^bahi import: --mapping: "timezone" must be one of "IST", "UTC"; got "PST"/,
      ),
      importError(
        ['--mapping', JSON.stringify({ ...cols, close: '' })],
        /^bahi import: --mapping: "close" must be a non-empty column name \(a header cell\); got ""/,
      ),
    ])
  })

  it('--timeframe that is not a timeframe, or for a format that has its own', async () => {
    await Promise.all([
      importError(['--timeframe', '2m'], /^bahi import: --timeframe must be one of 1m, 3m, 5m, 15m, 30m, 1h, 1d/),
      importError(
        ['--format', 'eod-csv', '--timeframe', '1d'],
        /^bahi import: --timeframe is for upstox-candles-json files; eod-csv files carry their own timeframe/,
      ),
    ])
  })
})
