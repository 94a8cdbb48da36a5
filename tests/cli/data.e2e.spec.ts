import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasNseData, itWithNseData, nseDataDir } from '../support/nseData.js'
import { bahi, parseJsonOut, tempDirs } from './cliHarness.js'

// `bahi data gaps` and `bahi data coverage` end to end, on stores imported with `bahi import` from the real data read
// in place: the per-second NIFTY values of 2022-11-28 and 2022-11-30 (ticks only: the 991 s hole on 11-28, the
// missing 11-29), and the NIFTY 50 daily EOD file (daily bars only, whole, then with its 2024-11-01 Muhurat row
// left out). Bad flags are refused with a reason and exit 2 before anything is read.

const temp = tempDirs()
afterAll(() => temp.cleanup())

const NIFTY = 'NSE_INDEX|Nifty 50'
const ticksDir = () => join(nseDataDir(), 'index-1s-2022-11')
const eodFile = () => join(nseDataDir(), 'eod-2024-2025', 'data', 'eod', 'NIFTY_50.csv')

interface TickReport {
  series: 'ticks'
  instrumentKey: string
  fromDate: string
  toDate: string
  tradingDays: number
  daysWithTicks: number
  ticks: number
  missingDays: string[]
  closedDaysWithTicks: string[]
  holeSeconds: number
  holes: { date: string; from: string; to: string; seconds: number }[]
}
interface DailyReport {
  series: '1d'
  instrumentKey: string
  fromDate: string
  toDate: string
  tradingDays: number
  daysWithBars: number
  missingDays: string[]
  closedDaysWithBars: string[]
}
interface GapsOut {
  store: string
  tickGapSeconds: number
  calendar: { from: string; to: string } | null
  instruments: (TickReport | DailyReport)[]
}

const imported = async (home: string, path: string) => {
  const r = await bahi(['import', path, '--home', home, '--json'], {}, 60_000)
  if (r.code !== 0) throw new Error(`import ${path} exited ${r.code}: ${r.stderr}`)
}

let ticksHome: string
let dailyHome: string
let holedDailyHome: string

beforeAll(async () => {
  if (!hasNseData()) return
  ticksHome = temp.make('bahi-data-ticks-')
  await imported(ticksHome, join(ticksDir(), '2022-11-28.csv'))
  await imported(ticksHome, join(ticksDir(), '2022-11-30.csv'))
  dailyHome = temp.make('bahi-data-daily-')
  await imported(dailyHome, eodFile())
  // The same file without its Muhurat row, written to a temporary directory (the data is never copied into the repo).
  holedDailyHome = temp.make('bahi-data-daily-holed-')
  const lines = readFileSync(eodFile(), 'utf8').split('\n')
  const holed = join(temp.make('bahi-data-eod-'), 'NIFTY_50.csv')
  writeFileSync(holed, lines.filter((l) => !l.startsWith('2024-11-01,')).join('\n'))
  await imported(holedDailyHome, holed)
}, 120_000)

describe('bahi data gaps', () => {
  itWithNseData('ticks only: the 991 s hole on 2022-11-28 and the missing 2022-11-29, exit 1', async () => {
    const r = await bahi(['data', 'gaps', '--home', ticksHome, '--json'])
    expect(r.code, r.stderr).toBe(1)
    const out = parseJsonOut<GapsOut>(r)
    expect(out.tickGapSeconds).toBe(60)
    expect(out.instruments).toEqual([
      {
        series: 'ticks',
        instrumentKey: NIFTY,
        fromDate: '2022-11-28',
        toDate: '2022-11-30',
        tradingDays: 3,
        daysWithTicks: 2,
        ticks: expect.any(Number),
        missingDays: ['2022-11-29'],
        closedDaysWithTicks: [],
        holeSeconds: 60,
        holes: [{ date: '2022-11-28', from: '10:11:17', to: '10:27:48', seconds: 991 }],
      },
    ])
    const text = await bahi(['data', 'gaps', '--home', ticksHome])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(`${NIFTY} ticks 2022-11-28 .. 2022-11-30: 2/3 trading days with ticks`)
    expect(text.stdout).toContain('missing days: 2022-11-29')
    expect(text.stdout).toContain('2022-11-28: no tick 10:11:17 .. 10:27:48 (991 s)')
    expect(text.stdout).not.toContain('no 1-minute bars')
  })

  itWithNseData(
    '--tick-gap sets the threshold: 10 s finds nothing more in session, 1000 s hides the hole',
    async () => {
      const ten = parseJsonOut<GapsOut>(
        await bahi([
          'data',
          'gaps',
          '--home',
          ticksHome,
          '--json',
          '--tick-gap',
          '10',
          '--from',
          '2022-11-28',
          '--to',
          '2022-11-28',
        ]),
      )
      // The 15 s pre-open jump 09:14:46 -> 09:15:01 lies before the open: only 1 s of it is in the session.
      expect(ten.instruments.map((x) => (x as TickReport).holes)).toEqual([
        [{ date: '2022-11-28', from: '10:11:17', to: '10:27:48', seconds: 991 }],
      ])
      const wide = await bahi([
        'data',
        'gaps',
        '--home',
        ticksHome,
        '--json',
        '--tick-gap',
        '1000',
        '--to',
        '2022-11-28',
      ])
      expect(wide.code, wide.stderr).toBe(0)
      expect(parseJsonOut<GapsOut>(wide).instruments).toMatchObject([{ holes: [], missingDays: [], holeSeconds: 1000 }])
    },
  )

  itWithNseData('--instrument takes a trading symbol and resolves it to its key, as bahi import did', async () => {
    const r = await bahi(['data', 'gaps', '--home', ticksHome, '--json', '--instrument', 'nifty'])
    expect(r.code, r.stderr).toBe(1)
    expect(parseJsonOut<GapsOut>(r).instruments.map((x) => x.instrumentKey)).toEqual([NIFTY])
  })

  itWithNseData(
    'daily bars only: the whole NIFTY 50 EOD year against the calendar, Muhurat included, exit 0',
    async () => {
      const r = await bahi(['data', 'gaps', '--home', dailyHome, '--json'])
      expect(r.code, r.stderr).toBe(0)
      expect(parseJsonOut<GapsOut>(r).instruments).toEqual([
        {
          series: '1d',
          instrumentKey: NIFTY,
          fromDate: '2024-08-12',
          toDate: '2025-08-08',
          tradingDays: 249,
          daysWithBars: 249,
          missingDays: [],
          closedDaysWithBars: [],
          flaggedBars: [],
        },
      ])
    },
  )

  itWithNseData('daily bars with a day left out: the missing Muhurat day is reported, exit 1', async () => {
    const r = await bahi(['data', 'gaps', '--home', holedDailyHome, '--json'])
    expect(r.code, r.stderr).toBe(1)
    expect(parseJsonOut<GapsOut>(r).instruments).toMatchObject([
      { series: '1d', tradingDays: 249, daysWithBars: 248, missingDays: ['2024-11-01'] },
    ])
  })

  itWithNseData('refuses bad flags with a reason and exit 2, printing nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--instrument', 'RELIANCE'],
        /no bars or ticks for NSE_EQ\|INE002A01018 \(RELIANCE\).*stored: NSE_INDEX\|Nifty 50/,
      ],
      [['--instrument', 'NOSUCHSYMBOL'], /"NOSUCHSYMBOL" is neither an instrument key .* nor a symbol/],
      [['--from', '2025-13-01'], /--from must be a date \(YYYY-MM-DD\), got "2025-13-01"/],
      [['--to', '28-11-2022'], /--to must be a date \(YYYY-MM-DD\), got "28-11-2022"/],
      [['--from', '2022-11-30', '--to', '2022-11-28'], /--from 2022-11-30 is after --to 2022-11-28/],
      [['--tick-gap', '0'], /--tick-gap must be a positive whole number of seconds, got "0"/],
      [['--tick-gap', '1.5'], /--tick-gap must be a positive whole number/],
      [['--before', '2022-12-01'], /--before is not an option of data gaps/],
    ]
    const runs = await Promise.all(cases.map(([extra]) => bahi(['data', 'gaps', '--home', ticksHome, ...extra])))
    cases.forEach(([extra, reason], i) => {
      const r = runs[i]!
      expect([r.code, r.stdout], extra.join(' ')).toEqual([2, ''])
      expect(r.stderr, extra.join(' ')).toMatch(reason)
    })
  })
})

describe('bahi data coverage', () => {
  itWithNseData('lists ticks and daily bars with their ranges and counts', async () => {
    const ticks = parseJsonOut<{ series: unknown[]; ticks: unknown[] }>(
      await bahi(['data', 'coverage', '--home', ticksHome, '--json']),
    )
    expect(ticks.series).toEqual([])
    expect(ticks.ticks).toEqual([
      { instrumentKey: NIFTY, fromDate: '2022-11-28', toDate: '2022-11-30', ticks: expect.any(Number), days: 2 },
    ])
    const daily = parseJsonOut<{ series: unknown[]; ticks: unknown[] }>(
      await bahi(['data', 'coverage', '--home', dailyHome, '--json']),
    )
    expect(daily).toMatchObject({
      series: [
        { instrumentKey: NIFTY, timeframe: '1d', fromDate: '2024-08-12', toDate: '2025-08-08', bars: 249, days: 249 },
      ],
      ticks: [],
    })
    const text = await bahi(['data', 'coverage', '--home', ticksHome])
    expect(text.stdout).toContain('0 bar series and 1 tick series')
  })

  itWithNseData('--instrument is resolved and checked like data gaps; flags it does not read are refused', async () => {
    const r = await bahi(['data', 'coverage', '--home', ticksHome, '--json', '--instrument', 'NIFTY'])
    expect(r.code, r.stderr).toBe(0)
    expect(parseJsonOut<{ ticks: { instrumentKey: string }[] }>(r).ticks.map((t) => t.instrumentKey)).toEqual([NIFTY])
    for (const [extra, reason] of [
      [['--instrument', 'RELIANCE'], /no bars or ticks for NSE_EQ\|INE002A01018 \(RELIANCE\)/],
      [['--from', '2022-11-01'], /--from is not an option of data coverage \(it takes --instrument\)/],
    ] as [string[], RegExp][]) {
      const bad = await bahi(['data', 'coverage', '--home', ticksHome, ...extra])
      expect([bad.code, bad.stdout], extra.join(' ')).toEqual([2, ''])
      expect(bad.stderr).toMatch(reason)
    }
  })
})

it('data gaps without a store says so and exits 2', async () => {
  const r = await bahi(['data', 'gaps', '--home', temp.make('bahi-data-none-')])
  expect(r.code).toBe(2)
  expect(r.stderr).toMatch(/no market store at/)
})
