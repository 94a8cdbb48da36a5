import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bahi, parseJsonOut, tempDirs } from './cliHarness.js'

// `bahi sweep`: a grid of backtests on worker threads, ranked; each run equal to the same backtest run alone.

const temp = tempDirs()
afterAll(() => temp.cleanup())

interface SweepOut {
  rankBy: string
  rankOrder: 'ascending' | 'descending'
  runs: { run: number; params: Record<string, unknown>; rankValue: number; netPnl: number; report: string }[]
  failed: unknown[]
}

const common = [
  '--instruments',
  'RELIANCE',
  '--from',
  '2025-01-01',
  '--to',
  '2025-01-03',
  '--data',
  'synthetic',
  '--json',
]

describe('bahi sweep', () => {
  it('runs every combination on worker threads, ranks them, and each equals the backtest run alone', async () => {
    const out = join(temp.make('bahi-sweep-'), 'sweep')
    const r = await bahi(
      [
        'sweep',
        '--strategy',
        'sma-cross',
        '--grid',
        '{"fast":[3,5],"slow":[20]}',
        '--params',
        '{"qty":5}',
        '--workers',
        '2',
        '--out',
        out,
        ...common,
      ],
      {},
      120_000,
    )
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<SweepOut>(r)
    expect(s.failed).toEqual([])
    expect(s.runs.map((x) => x.params.fast).sort()).toEqual([3, 5])
    expect(s.rankOrder).toBe('descending')
    expect(s.runs[0]!.rankValue).toBeGreaterThanOrEqual(s.runs[1]!.rankValue)
    for (const run of s.runs) expect(existsSync(run.report)).toBe(true)
    const alone = await bahi(
      [
        'backtest',
        '--strategy',
        'sma-cross',
        '--params',
        '{"qty":5,"fast":3,"slow":20}',
        '--out',
        join(out, '..', 'alone'),
        ...common,
      ],
      {},
      60_000,
    )
    const single = parseJsonOut<{ netPnl: number }>(alone)
    expect(s.runs.find((x) => x.params.fast === 3)?.netPnl).toBe(single.netPnl)
  }, 180_000)

  it('ranks by a drawdown with the shallowest first, and says so', async () => {
    const dir = temp.make('bahi-sweep-')
    const args = (out: string) => [
      'sweep',
      '--strategy',
      'sma-cross',
      '--grid',
      '{"fast":[3,5],"slow":[20]}',
      '--params',
      '{"qty":5}',
      '--workers',
      '2',
      '--rank',
      'maxDrawdownPct',
      '--out',
      join(dir, out),
      ...common,
    ]
    const r = await bahi(args('json'), {}, 120_000)
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<SweepOut>(r)
    expect([s.rankBy, s.rankOrder]).toEqual(['maxDrawdownPct', 'ascending'])
    // The two runs differ (else the order would prove nothing), and the smaller drawdown is first.
    expect(s.runs[0]!.rankValue).toBeLessThan(s.runs[1]!.rankValue)
    const text = await bahi(
      args('text').filter((a) => a !== '--json'),
      {},
      120_000,
    )
    expect(text.stdout).toContain('ranked by maxDrawdownPct, lower is better, best first')
    // The ranked figure is one of the usual columns: it carries the arrow, and is not shown twice.
    const header = text.stdout.split('\n').find((l) => l.trimStart().startsWith('run '))
    expect(header?.trim().split(/\s+/)).toEqual(['run', 'netPnl', 'sharpe', 'maxDD%', '▲', 'trades', 'params'])
  }, 240_000)

  it('refuses a grid that is not an object of lists, and an unknown rank metric', async () => {
    const out = join(temp.make('bahi-sweep-'), 'sweep')
    const bad = await bahi(['sweep', '--strategy', 'sma-cross', '--grid', '{"fast":5}', '--out', out, ...common])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('--grid values must be non-empty lists: fast')
    const badParam = await bahi([
      'sweep',
      '--strategy',
      'sma-cross',
      '--grid',
      '{"fast":[50]}',
      '--out',
      out,
      ...common,
    ])
    expect(badParam.code).toBe(2)
    expect(badParam.stderr).toContain('combination {"fast":50}')
    // Refused before any run: exit 2, the known figures listed, and no directory left behind.
    const badRank = await bahi([
      'sweep',
      '--strategy',
      'sma-cross',
      '--grid',
      '{"fast":[3]}',
      '--rank',
      'luck',
      '--out',
      join(out, 'r'),
      ...common,
    ])
    expect(badRank.code).toBe(2)
    expect(badRank.stderr).toContain('--rank luck is not a figure of the report; one of endEquity, netPnl,')
    expect(badRank.stderr).toContain('maxDrawdownPct, exposurePct, fees (lower is better)')
    expect(badRank.stderr).not.toContain('runs')
    expect(existsSync(join(out, 'r'))).toBe(false)
  }, 120_000)
})
