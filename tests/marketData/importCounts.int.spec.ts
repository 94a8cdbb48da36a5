import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commands } from '../../src/processes/cli/commands/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'

// Commands load on demand (see commands/index.ts).
const { importCommand } = await commands.import()

// The counts of `bahi import --json` on real files: a file reads its data rows (never its header) whether it is
// imported or rejected, every row read is accounted for once (imported, unchanged, conflicting, rejected, or
// ignored as not data), and a file rejected by policy lists every one of its issues.

const log = pino({ level: 'silent' })

interface Summary {
  readonly files: number
  readonly filesRejected: number
  readonly rowsRead: number
  readonly imported: number
  readonly unchanged: number
  readonly conflicting: number
  readonly rejected: number
  readonly ignored: number
  readonly errors: readonly { file: string; line: number; reason: string }[]
  readonly issues: readonly { file: string; line: number; kind: string; detail: string; action: string }[]
  readonly ignoredRows: readonly { file: string; rows: number; reason: string }[]
}

const tcsDay = () => join(nseDataDir(), 'equity-1min-2025', '5Scripts', 'TCS', '02-01-2025.csv')

describe('import counts', () => {
  let dir: string
  let n = 0
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bahi-import-counts-'))
  })
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true })
  })
  const run = async (path: string, extra: { policy?: string } = {}): Promise<{ code: number; s: Summary }> => {
    const out: string[] = []
    const io = { out: (l: string) => out.push(l), err: () => {} }
    const home = join(dir, `home-${n++}`)
    const code = await importCommand({ path, home, json: true, progress: 'none', ...extra }, io, log)
    return { code, s: JSON.parse(out.join('\n')) as Summary }
  }
  const addsUp = (s: Summary) => s.imported + s.unchanged + s.conflicting + s.rejected + s.ignored

  /** A copy of a real equity day (375 bars) with `bad` OHLC violations: high below low on lines 11, 21, 31... */
  const withViolations = (bad: number): string => {
    const lines = readFileSync(tcsDay(), 'utf8').split('\r\n')
    for (let k = 0; k < bad; k++) {
      const i = 10 + 10 * k
      const f = (lines[i] as string).split(',')
      f[3] = '1.00'
      lines[i] = f.join(',')
    }
    const src = join(dir, 'TCS')
    mkdirSync(src, { recursive: true })
    const file = join(src, '02-01-2025.csv')
    writeFileSync(file, lines.join('\r\n'))
    return file
  }

  itWithNseData(
    'a file rejected by policy reads its 375 data rows, as under skip, and lists all 3 issues',
    async () => {
      const file = withViolations(3)
      const reject = await run(file, { policy: 'reject' })
      const skip = await run(file, { policy: 'skip' })
      expect(reject.code).toBe(1)
      expect([reject.s.rowsRead, reject.s.rejected, skip.s.rowsRead, skip.s.rejected]).toEqual([375, 375, 375, 3])
      expect(reject.s.errors).toEqual([
        { file, line: 11, reason: expect.stringMatching(/^ohlcViolation: .*\(and 2 more\)$/) },
      ])
      expect(reject.s.issues.map((i) => [i.line, i.kind, i.action])).toEqual([
        [11, 'ohlcViolation', 'rejected'],
        [21, 'ohlcViolation', 'rejected'],
        [31, 'ohlcViolation', 'rejected'],
      ])
      expect(skip.s.issues.map((i) => [i.line, i.action])).toEqual([
        [11, 'skipped'],
        [21, 'skipped'],
        [31, 'skipped'],
      ])
      for (const r of [reject, skip]) expect(addsUp(r.s)).toBe(r.s.rowsRead)
    },
  )

  itWithNseData('an unparseable file reads its data rows, not its header', async () => {
    const lines = readFileSync(tcsDay(), 'utf8').split('\r\n')
    lines[100] = 'garbage'
    const src = join(dir, 'TCS')
    mkdirSync(src)
    writeFileSync(join(src, '02-01-2025.csv'), lines.join('\r\n'))
    const r = await run(src)
    expect([r.s.filesRejected, r.s.rowsRead, r.s.rejected]).toEqual([1, 375, 375])
  })

  itWithNseData('the futures tick set: Dhan oi packets are ignored, with a reason, and the counts add up', async () => {
    const futures = join(nseDataDir(), 'futures-ticks-2025-12-29')
    const first = await run(futures)
    // Kite 271 ticks, Dhan 355 ticks + 1 oi packet; the app's own aggregate is not a tick format (rejected).
    expect(first.s.files).toBe(3)
    expect(first.s.filesRejected).toBe(1)
    expect(first.s.ignored).toBe(1)
    expect(first.s.ignoredRows).toEqual([
      {
        file: join(futures, 'dhan_nifty_futures_ticks.csv'),
        rows: 1,
        reason: 'not a trade packet (Dhan oi packets carry open interest only)',
      },
    ])
    expect(first.s.imported).toBe(271 + 355)
    expect(addsUp(first.s)).toBe(first.s.rowsRead)
    // Re-imported into the same store: everything unchanged, the same rows read, still adding up.
    const home = join(dir, 'again')
    const io = { out: () => {}, err: () => {} }
    await importCommand({ path: futures, home, json: true, progress: 'none' }, io, log)
    const out: string[] = []
    await importCommand(
      { path: futures, home, json: true, progress: 'none' },
      { out: (l) => out.push(l), err: () => {} },
      log,
    )
    const again = JSON.parse(out.join('\n')) as Summary
    expect([again.rowsRead, again.unchanged, again.imported]).toEqual([first.s.rowsRead, 271 + 355, 0])
    expect(addsUp(again)).toBe(again.rowsRead)
  })

  it('an instrument master repeating a key: the repeat is ignored, and the counts add up', async () => {
    const master = join(dir, 'master.json')
    const row = { instrument_key: 'NSE_EQ|FIXTURE-A', exchange: 'NSE', segment: 'NSE_EQ', trading_symbol: 'FIXA' }
    writeFileSync(master, JSON.stringify([row, row]))
    const r = await run(master)
    expect([r.s.rowsRead, r.s.imported, r.s.ignored]).toEqual([2, 1, 1])
    expect(r.s.ignoredRows[0]?.reason).toBe('instrument_key repeated in the master (the first kept)')
    expect(addsUp(r.s)).toBe(r.s.rowsRead)
  })
})
