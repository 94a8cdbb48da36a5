import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Child, startChild } from '../journal/childProcess.js'
import { bahi, parseJsonOut, readAll, tempDirs } from './cliHarness.js'

// `bahi backtest` and `bahi sweep` beside a writer: another process holds the DuckDB store (DuckDB then refuses every
// other process, read-only ones too), and a run on bars reads the store's sealed Parquet days instead, says so on
// stderr and in its summary (`dataSource`), and writes the journal a run on the store writes for the same rows; a run
// on ticks reads the sealed ticks the same way. A run when nothing is sealed yet is refused, and nothing but the
// writer's lock makes a run fall back.

const temp = tempDirs()
const children: Child[] = []
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL')
  temp.cleanup()
})

/** Five trading days are written (2025-01-01 .. 2025-01-07), the first three sealed (days before 2025-01-06). */
const DAYS = 5
const SEAL_BEFORE = '2025-01-06'
const LAST_SEALED = '2025-01-03'
const BARS_PER_DAY = 2 * 375

const backtest = (home: string, out: string, from: string, to: string, extra: readonly string[] = []) =>
  bahi(
    [
      'backtest',
      '--strategy',
      'sma-cross',
      '--params',
      '{"fast":3,"slow":8,"qty":1}',
      '--fees',
      'zero',
      '--instruments',
      'RELIANCE,TCS',
      '--from',
      from,
      '--to',
      to,
      '--home',
      home,
      '--out',
      out,
      '--json',
      ...extra,
    ],
    {},
    60_000,
  )

interface Summary {
  readonly runId: string
  readonly dataSource: string
  readonly journal: string
  readonly bars: number
  readonly ticks: number
  readonly closedTrades: number
}

/** Every file under a journal directory, by path within it. */
const filesOf = (dir: string): Record<string, Buffer> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => statSync(join(dir, f)).isFile())
      .map((f) => [f, readFileSync(join(dir, f))]),
  )

describe('bahi backtest and sweep while another process holds the market store', () => {
  it('read the sealed days of bars and ticks (saying so), refuse an empty seal, and write the journal the store gives', async () => {
    const home = temp.make('bahi-beside-writer-')
    const market = join(home, 'market')
    mkdirSync(market, { recursive: true })
    const writer = startChild('../marketData/storeHolder.child.ts', [
      join(market, 'market.duckdb'),
      join(market, 'sealed'),
      join(market, 'sealed-ticks'),
      join(market, 'sealed-instruments'),
      String(DAYS),
    ])
    children.push(writer)
    expect(await writer.waitForLine((l) => l.startsWith('holding'), 30_000)).toBe(`holding ${DAYS * BARS_PER_DAY}`)

    // Nothing sealed yet: refused, saying why and what would help.
    const unsealed = await backtest(home, join(home, 'unsealed'), '2025-01-02', '2025-01-03')
    expect(unsealed.code).toBe(2)
    expect(unsealed.stderr).toContain(
      `another process holds it for writing (an import, or the market-data node), and nothing is sealed yet to read ` +
        `instead (${join(market, 'sealed')}: no sealed Parquet directory there yet)`,
    )
    expect(unsealed.stdout).toBe('')
    const unsealedTicks = await backtest(home, join(home, 'unsealed-ticks'), '2025-01-02', '2025-01-03', [
      '--data',
      'ticks',
    ])
    expect(unsealedTicks.code).toBe(2)
    expect(unsealedTicks.stderr).toContain(
      `another process holds it for writing (an import, or the market-data node), and no ticks are sealed yet to ` +
        `read instead (${join(market, 'sealed-ticks')}: no sealed Parquet directory there yet)`,
    )

    writer.proc.stdin.write(`seal ${SEAL_BEFORE}\n`)
    expect(await writer.waitForLine((l) => l.startsWith('sealed'))).toBe(
      `sealed ${3 * BARS_PER_DAY} ${4 * 3 * BARS_PER_DAY}`,
    )

    // Ticks: read from the sealed ticks, with the same warning; the bars are built from them.
    const tickRun = await backtest(home, join(home, 'ticks'), '2025-01-02', '2025-01-03', ['--data', 'ticks'])
    expect(tickRun.code, tickRun.stderr).toBe(0)
    expect(tickRun.stderr).toContain(`reading the sealed days in ${join(market, 'sealed-ticks')} instead`)
    const onSealedTicks = parseJsonOut<Summary>(tickRun)
    expect(onSealedTicks.dataSource).toBe('sealed')
    expect(onSealedTicks.ticks).toBe(4 * 2 * BARS_PER_DAY)
    expect(onSealedTicks.closedTrades).toBeGreaterThan(0)

    // Instruments named by a trading symbol only the store's instruments know: beside the writer, its sealed master.
    const bySymbol = await backtest(home, join(home, 'by-symbol'), '2025-01-02', '2025-01-03', [
      '--instruments',
      'RELSEALED,TCS',
    ])
    expect(bySymbol.code, bySymbol.stderr).toBe(0)
    const configured = (await readAll(parseJsonOut<Summary>(bySymbol).journal)).find(
      (e) => e.type === 'StrategyConfigured',
    )
    expect(configured?.type === 'StrategyConfigured' && configured.payload.instruments).toEqual([
      'NSE_EQ|INE002A01018',
      'NSE_EQ|INE467B01029',
    ])

    // Bars: read from the sealed days, with a warning naming the last sealed date.
    const sealedRun = await backtest(home, join(home, 'sealed-run'), '2025-01-02', '2025-01-03')
    expect(sealedRun.code, sealedRun.stderr).toBe(0)
    expect(sealedRun.stderr).toContain(
      `warning: the market store ${join(market, 'market.duckdb')} is held by another process for writing`,
    )
    expect(sealedRun.stderr).toContain(`up to the last sealed date, ${LAST_SEALED}`)
    const onSealed = parseJsonOut<Summary>(sealedRun)
    expect(onSealed.dataSource).toBe('sealed')
    expect(onSealed.bars).toBe(2 * BARS_PER_DAY)
    // Trades, so the journals compared below hold orders and fills, not only bars.
    expect(onSealed.closedTrades).toBeGreaterThan(0)

    // A sweep too, over a range that runs past the sealed days: it reads the sealed days only, and says so.
    const sweepOut = join(home, 'sweep')
    const sweep = await bahi(
      [
        'sweep',
        '--strategy',
        'sma-cross',
        '--params',
        '{"slow":8,"qty":1}',
        '--grid',
        '{"fast":[3,4]}',
        '--fees',
        'zero',
        '--instruments',
        'RELIANCE,TCS',
        '--from',
        '2025-01-02',
        '--to',
        '2025-01-07',
        '--home',
        home,
        '--out',
        sweepOut,
        '--workers',
        '2',
        '--json',
      ],
      {},
      90_000,
    )
    expect(sweep.code, sweep.stderr).toBe(0)
    expect(sweep.stderr).toContain(
      `up to the last sealed date, ${LAST_SEALED} (2025-01-07 asked for: the days after ${LAST_SEALED} are not in this run)`,
    )
    const swept = parseJsonOut<{ dataSource: string; runs: unknown[]; failed: unknown[] }>(sweep)
    expect(swept.dataSource).toBe('sealed')
    expect(swept.failed).toEqual([])
    expect(swept.runs).toHaveLength(2)
    for (const run of ['1', '2']) {
      const bars = (await readAll(join(sweepOut, run, 'journal'))).filter((e) => e.type === 'BarClosed')
      expect(bars).toHaveLength(2 * BARS_PER_DAY)
    }

    // Not the lock, not a fallback: a store file that cannot be opened for another reason is reported as it is,
    // even with sealed days beside it.
    const broken = temp.make('bahi-broken-store-')
    mkdirSync(join(broken, 'market'))
    writeFileSync(join(broken, 'market', 'market.duckdb'), 'not a DuckDB file')
    cpSync(join(market, 'sealed'), join(broken, 'market', 'sealed'), { recursive: true })
    const brokenRun = await backtest(broken, join(broken, 'out'), '2025-01-02', '2025-01-03')
    expect(brokenRun.code).toBe(2)
    expect(brokenRun.stderr).toContain(`cannot open market store ${join(broken, 'market', 'market.duckdb')}`)
    expect(brokenRun.stderr).not.toContain('another process holds it')
    expect(brokenRun.stderr).not.toContain('sealed')

    // The writer done, the same backtest reads the store: the same run, the same journal, byte for byte.
    writer.proc.stdin.write('release\n')
    await writer.waitForLine((l) => l === 'released')
    await writer.exited
    const storeRun = await backtest(home, join(home, 'store-run'), '2025-01-02', '2025-01-03')
    expect(storeRun.code, storeRun.stderr).toBe(0)
    expect(storeRun.stderr).not.toContain('warning')
    const onStore = parseJsonOut<Summary>(storeRun)
    expect(onStore.dataSource).toBe('store')
    expect(onStore.runId).toBe(onSealed.runId)
    expect(onStore.bars).toBe(onSealed.bars)
    const [a, b] = [filesOf(onSealed.journal), filesOf(onStore.journal)]
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort())
    for (const f of Object.keys(a)) expect(a[f]!.equals(b[f]!), f).toBe(true)
    // And on ticks.
    const storeTicks = await backtest(home, join(home, 'store-ticks'), '2025-01-02', '2025-01-03', ['--data', 'ticks'])
    expect(storeTicks.code, storeTicks.stderr).toBe(0)
    const onStoreTicks = parseJsonOut<Summary>(storeTicks)
    expect(onStoreTicks.dataSource).toBe('store')
    expect(onStoreTicks.ticks).toBe(onSealedTicks.ticks)
    const [c, d] = [filesOf(onSealedTicks.journal), filesOf(onStoreTicks.journal)]
    expect(Object.keys(c).sort()).toEqual(Object.keys(d).sort())
    for (const f of Object.keys(c)) expect(c[f]!.equals(d[f]!), f).toBe(true)
  }, 240_000)
})
