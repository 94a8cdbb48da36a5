import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { openMarketStore } from '../../src/adapters/marketStore/index.js'
import { equityCharges, scheduleOn, UPSTOX_EQUITY_SCHEDULES } from '../../src/domain/charges/index.js'
import { istDateOf } from '../../src/domain/time/index.js'
import { openJournalReader } from '../../src/journal/index.js'
import { buildReport } from '../../src/processes/backtest/index.js'
import { createBuiltinEngine } from '../../src/processes/engine/index.js'
import { itWithNseData, nseDataDir } from '../support/nseData.js'
import { bahi, parseJsonOut, readAll, tempDirs } from './cliHarness.js'

// `bahi backtest` end to end: a journal and a report written, the report agreeing with the journal, the journal
// verifying, the same backtest twice giving the same journal, and bad requests refused with a reason.

const right = <A>(e: E.Either<unknown, A>): A => {
  if (E.isLeft(e)) throw new Error(JSON.stringify(e.left))
  return e.right
}
const temp = tempDirs()
afterAll(() => temp.cleanup())
/** A new output directory (the backtest creates it). */
const fresh = () => join(temp.make('bahi-bt-'), 'out')

interface Summary {
  runId: string
  journal: string
  report: { json: string; html: string }
  bars: number
  events: number
  closedTrades: number
  deniedOrders: Record<string, number>
  netPnl: number
  fees: number
  barsPerSecond: number
}

/**
 * The run folds its report as it steps; the same fold over the journal it wrote must give report.json exactly (any
 * journal can be reported on that way).
 */
const expectReportOfJournal = async (s: { readonly journal: string; readonly report: { readonly json: string } }) => {
  const written = JSON.parse(readFileSync(s.report.json, 'utf8')) as { title: string }
  const reader = openJournalReader(s.journal)
  if (E.isLeft(reader)) throw new Error(JSON.stringify(reader.left))
  const folded = await buildReport(reader.right, createBuiltinEngine(), written.title)
  await reader.right.close()
  expect(E.isRight(folded) && JSON.parse(JSON.stringify(folded.right))).toEqual(written)
}

const args = (out: string, extra: string[] = []) => [
  'backtest',
  '--strategy',
  'streak',
  '--params',
  '{"bars":3,"qty":10}',
  '--instruments',
  'RELIANCE,NSE_EQ|INE467B01029',
  '--from',
  '2025-01-01',
  '--to',
  '2025-01-03',
  '--out',
  out,
  '--data',
  'synthetic',
  '--json',
  ...extra,
]

describe('bahi backtest', () => {
  it('writes a journal and a report that agree, and the journal verifies with 0 divergences', async () => {
    const out = fresh()
    const r = await bahi(args(out), {}, 60_000)
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<Summary>(r)
    // 3 trading days x 375 bars x 2 instruments
    expect(s.bars).toBe(3 * 375 * 2)
    expect(s.journal).toBe(join(out, 'journal'))
    expect(existsSync(s.report.html)).toBe(true)
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as {
      trades: { netPnl: number; entryReason: string; exitReason: string; instrumentKey: string; symbol?: string }[]
      metrics: { netPnl: number; closedTrades: number; fees: number }
    }
    expect(report.metrics.closedTrades).toBe(s.closedTrades)
    // Instruments asked for by symbol and by key are both named by their symbol in the report.
    expect([...new Set(report.trades.map((t) => `${t.symbol} ${t.instrumentKey}`))].sort()).toEqual([
      'RELIANCE NSE_EQ|INE002A01018',
      'TCS NSE_EQ|INE467B01029',
    ])
    expect(s.closedTrades).toBeGreaterThan(0)
    // Square-off leaves the book flat, so the trades' net PnL adds up to the run's, to the paisa.
    const sum = report.trades.reduce((a, t) => a + Math.round(t.netPnl * 100), 0)
    expect(sum).toBe(Math.round(s.netPnl * 100))
    expect(report.trades.every((t) => t.entryReason.length > 0 && t.exitReason.length > 0)).toBe(true)
    const html = readFileSync(s.report.html, 'utf8')
    expect(html).toContain('<svg')
    expect(html).toContain('consecutive higher closes')
    // Fills in the journal carry the fees the summary reports.
    const events = await readAll(s.journal)
    const fees = events.reduce((a, e) => a + (e.type === 'OrderFilled' ? e.payload.feesPaise : 0), 0)
    expect(fees).toBe(Math.round(s.fees * 100))
    // The symbols come from the run's manifest, so a report of the journal alone names them the same.
    const manifest = events[0]
    expect(manifest?.type === 'RunStarted' && manifest.payload.instrumentSymbols).toEqual({
      'NSE_EQ|INE002A01018': 'RELIANCE',
      'NSE_EQ|INE467B01029': 'TCS',
    })
    const v = await bahi(['replay', s.journal, '--verify', '--json'])
    expect(parseJsonOut<{ divergences: number; events: number }>(v)).toMatchObject({ divergences: 0, events: s.events })
    await expectReportOfJournal(s)
    // bahi report gives the same report of the journal, under its own title, beside it by default
    const rep = await bahi(['report', s.journal, '--json'])
    expect(rep.code, rep.stderr).toBe(0)
    const made = parseJsonOut<{ runId: string; mode: string; events: number; report: { json: string } }>(rep)
    expect(made).toMatchObject({ runId: s.runId, mode: 'backtest', events: s.events })
    expect(made.report.json).toBe(join(`${s.journal}-report`, 'report.json'))
    const again = JSON.parse(readFileSync(made.report.json, 'utf8')) as { title: string }
    const written = JSON.parse(readFileSync(s.report.json, 'utf8')) as { title: string }
    expect(again.title).toBe(`bahi report: ${s.runId} (backtest)`)
    expect({ ...again, title: written.title }).toEqual(written)
    // and refuses to overwrite it, or a path that is no journal
    const twice = await bahi(['report', s.journal])
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('already exists: choose another --out')
    const none = await bahi(['report', join(out, 'nothing-here')])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^bahi report: /)
  }, 120_000)

  it('the same backtest twice writes the same journal, byte for byte', async () => {
    const [a, b] = [fresh(), fresh()]
    const ra = parseJsonOut<Summary>(await bahi(args(a), {}, 60_000))
    const rb = parseJsonOut<Summary>(await bahi(args(b), {}, 60_000))
    expect(ra.runId).toBe(rb.runId)
    const seg = 'seg-00000000000000000001.bahij'
    expect(readFileSync(join(ra.journal, seg)).equals(readFileSync(join(rb.journal, seg)))).toBe(true)
  }, 120_000)

  it('runs on a higher timeframe: 15-minute bars are 25 a session, session-aligned', async () => {
    const r = await bahi(args(fresh(), ['--timeframe', '15m']), {}, 60_000)
    expect(r.code, r.stderr).toBe(0)
    expect(parseJsonOut<Summary>(r).bars).toBe(3 * 25 * 2)
    const events = await readAll(parseJsonOut<Summary>(r).journal)
    const firstBar = events.find((e) => e.type === 'BarClosed')
    expect(firstBar?.type === 'BarClosed' && firstBar.payload.timeframe).toBe('15m')
  }, 60_000)

  it.each([
    [['--timeframe', '2m'], '--timeframe must be one of 1m, 3m, 5m, 15m, 30m, 1h, 1d'],
    [['--strategy', 'nope'], 'unknown strategy "nope" (known: sma-cross, ema-cross'],
    [['--params', '{"barz":3}'], 'unknown streak param(s): barz'],
    [['--params', '{"bars":0}'], 'bad --params for streak'],
    [['--from', '2025-01-05', '--to', '2025-01-04'], 'empty date range'],
    [['--from', '2025-01-04', '--to', '2025-01-05'], 'no NSE trading day between 2025-01-04 and 2025-01-05'],
    [['--instruments', 'WIPRO'], 'no data for WIPRO'],
    [['--fill-model', 'magic'], '--fill-model must be next-open or touch'],
    [['--square-off', '25:00'], '--square-off must be HH:MM or off'],
    [['--stop-loss', '0'], '--stop-loss must be a percentage above 0 and below 100, got 0'],
    [['--take-profit', 'lots'], '--take-profit must be a percentage above 0 and below 100, got lots'],
    [['--trailing-stop', '100'], '--trailing-stop must be a percentage above 0 and below 100, got 100'],
    [['--participation', '1.5'], '--participation must be a share of volume above 0 and at most 1, got 1.5'],
    [['--latency', '2.5'], '--latency must be a whole number of milliseconds, got 2.5'],
    [['--limits', '{"maxQtty":5}'], 'bad --limits: unknown risk limit(s): maxQtty'],
    [['--limits', '{"maxQty":0}'], 'bad --limits: maxQty: expected PositiveInt, got 0'],
    [['--limits', '[5]'], '--limits must be a JSON object of risk limits'],
    [['--limits', '{maxQty'], '--limits is not JSON'],
    [
      ['--limits', '{"instruments":{"WIPRO":{"maxQty":5}}}'],
      'bad --limits: instruments.WIPRO is not an instrument of this run (RELIANCE (NSE_EQ|INE002A01018), ',
    ],
    [['--limits', '{"instruments":{"RELIANCE":{"maxQty":5},"NSE_EQ|INE002A01018":{"maxQty":6}}}'], 'has limits twice'],
    [['--limits', '{"maxOrdersPerSecond":100}'], 'maxOrdersPerSecond: at most 64 can be checked'],
    [['--product', 'CNC'], '--product must be I (intraday) or D (delivery), got CNC'],
    [
      ['--from', '2020-12-01', '--to', '2020-12-04'],
      '--fees upstox: the charges table starts 2021-01-01 (docs/simulated-broker.md), so trades from 2020-12-01',
    ],
    [['--fill-model', 'touch', '--fill-probability', '0'], '--fill-probability must be a chance above 0 and at most 1'],
    [['--fill-probability', '0.5'], '--fill-probability applies to limits touched inside a bar: use it with'],
    [['--timeframe', '1d', '--product', 'I'], "--product I on 1d bars: each bar closes at its session's close"],
    [['--bar-source', 'stored'], '--bar-source is for bars read from the store, not the synthetic market'],
    [
      ['--resting-exits', '--fill-model', 'touch'],
      '--resting-exits rests the stop loss, trailing stop and take profit as orders: give',
    ],
    [['--resting-exits', '--stop-loss', '1'], 'under --fill-model next-open a bar is only its open'],
  ])('refuses %j with a clear reason and exit code 2', async (extra, message) => {
    const out = fresh()
    const base = args(out)
    // Later flags win in node's parseArgs, so appending overrides the defaults above.
    const r = await bahi([...base, ...extra])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(message)
    expect(existsSync(join(out, 'journal'))).toBe(false)
  })

  it.each([
    ['whole fills', []],
    ['a volume cap (partial fills)', ['--participation', '0.002']],
  ])(
    'with --resting-exits and %s, the stop and the target rest as orders and fill at their prices, one cancelling the other',
    async (_, cap) => {
      const flags = [
        ['--strategy', 'sma-cross', '--params', '{"fast":5,"slow":20,"qty":10}'],
        ['--stop-loss', '0.3', '--take-profit', '0.5', '--resting-exits', '--fill-model', 'touch'],
        cap,
      ].flat()
      const r = await bahi(args(fresh(), flags), {}, 60_000)
      expect(r.code, r.stderr).toBe(0)
      const s = parseJsonOut<Summary>(r)
      const events = await readAll(s.journal)
      const configured = events.find((e) => e.type === 'StrategyConfigured')
      expect(configured?.type === 'StrategyConfigured' && configured.payload.exits).toEqual({
        stopLossPct: 0.3,
        takeProfitPct: 0.5,
        resting: true,
      })
      // The stop and the target are not checked on the close: they are orders.
      expect(
        events.filter(
          (e) => e.type === 'ExitTriggered' && e.payload.exit !== 'square-off' && e.payload.exit !== 'opposing-signal',
        ),
      ).toEqual([])
      const requested = new Map(
        events.flatMap((e) => (e.type === 'OrderRequested' ? [[e.payload.orderId, e.payload]] : [])),
      )
      const restingFills = events.flatMap((e) =>
        e.type === 'OrderFilled' && requested.get(e.payload.orderId)?.protects !== undefined ? [e] : [],
      )
      const kinds = new Set(
        restingFills.map((f) => f.type === 'OrderFilled' && requested.get(f.payload.orderId)!.protects),
      )
      expect([...kinds].sort()).toEqual(['stop-loss', 'take-profit'])
      // Each fills at its own price, or at the open of a bar that gapped through it.
      for (const e of restingFills) {
        if (e.type !== 'OrderFilled') continue
        const f = e.payload
        const o = requested.get(f.orderId)!
        const bar = events.find(
          (b) => b.type === 'BarClosed' && b.ts === e.ts && b.payload.instrumentKey === f.instrumentKey,
        )
        const open = bar?.type === 'BarClosed' ? bar.payload.openPaise : undefined
        const own = o.protects === 'take-profit' ? o.limitPricePaise : o.triggerPricePaise
        expect([own, open]).toContain(f.fillPricePaise)
      }
      // Never both: no position ever goes past flat the other way, and it never holds more than the strategy's 10.
      const held = new Map<string, number>()
      for (const e of events) {
        if (e.type !== 'OrderFilled') continue
        const k = e.payload.instrumentKey
        const q = (held.get(k) ?? 0) + (e.payload.side === 'BUY' ? e.payload.fillQty : -e.payload.fillQty)
        held.set(k, q)
        expect(Math.abs(q)).toBeLessThanOrEqual(10)
      }
      // Under the cap, orders of 10 fill in parts: the resting exits among them.
      const partial = restingFills.filter((e) => e.type === 'OrderFilled' && e.payload.fillQty < 10)
      if (cap.length > 0) expect(partial.length).toBeGreaterThan(0)
      else expect(partial).toEqual([])
      // The trades table names the resting exit that closed each trade it closed.
      const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as { trades: { exitReason: string }[] }
      expect(report.trades.some((t) => t.exitReason.startsWith('stop-loss: resting SL-M at '))).toBe(true)
      expect(report.trades.some((t) => t.exitReason.startsWith('take-profit: resting LIMIT at '))).toBe(true)
      const v = await bahi(['replay', s.journal, '--verify', '--json'])
      expect(v.code, v.stderr).toBe(0)
      expect(JSON.parse(v.stdout).divergences).toBe(0)
      await expectReportOfJournal(s)
    },
    120_000,
  )

  it('with --resting-exits and --trailing-stop, the stop is moved up behind the best close and fills where it rests', async () => {
    const flags = [
      ['--strategy', 'sma-cross', '--params', '{"fast":5,"slow":20,"qty":10}'],
      ['--trailing-stop', '0.3', '--resting-exits', '--fill-model', 'touch'],
    ].flat()
    const r = await bahi(args(fresh(), flags), {}, 60_000)
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<Summary>(r)
    const events = await readAll(s.journal)
    // The trailing stop is an order: nothing fires on the close but square-offs and opposing signals.
    expect(
      events.filter(
        (e) => e.type === 'ExitTriggered' && e.payload.exit !== 'square-off' && e.payload.exit !== 'opposing-signal',
      ),
    ).toEqual([])
    // Every move is confirmed by the simulated venue in the same step, and only ever tightens the stop.
    const asked = events.filter((e) => e.type === 'OrderModifyRequested')
    const confirmed = events.filter((e) => e.type === 'OrderModified')
    expect(asked.length).toBeGreaterThan(10)
    expect(confirmed.map((e) => e.causationId)).toEqual(asked.map((e) => e.seq))
    const trigger = new Map<string, { side: string; px: number }>()
    for (const e of events) {
      if (e.type === 'OrderRequested' && e.payload.triggerPricePaise !== undefined)
        trigger.set(e.payload.orderId, { side: e.payload.side, px: e.payload.triggerPricePaise })
      if (e.type === 'OrderModified') {
        const was = trigger.get(e.payload.orderId)!
        const px = e.payload.triggerPricePaise!
        expect(was.side === 'SELL' ? px > was.px : px < was.px).toBe(true)
        trigger.set(e.payload.orderId, { side: was.side, px })
      }
      // A resting stop fills at its trigger as moved so far, or at the open of a bar that gapped through it.
      if (e.type === 'OrderFilled' && trigger.has(e.payload.orderId)) {
        const bar = events.find(
          (b) => b.type === 'BarClosed' && b.ts === e.ts && b.payload.instrumentKey === e.payload.instrumentKey,
        )
        expect([trigger.get(e.payload.orderId)!.px, bar?.type === 'BarClosed' && bar.payload.openPaise]).toContain(
          e.payload.fillPricePaise,
        )
      }
    }
    const report = JSON.parse(readFileSync(s.report.json, 'utf8')) as { trades: { exitReason: string }[] }
    expect(report.trades.some((t) => t.exitReason.startsWith('trailing-stop: resting SL-M moved to '))).toBe(true)
    const v = await bahi(['replay', s.journal, '--verify', '--json'])
    expect(v.code, v.stderr).toBe(0)
    expect(JSON.parse(v.stdout).divergences).toBe(0)
    await expectReportOfJournal(s)
  }, 120_000)

  it('takes exits, the simulated broker’s latency and volume cap, and risk limits from flags', async () => {
    // given sma-cross with exits, a minute of latency, a 1% volume cap and at most 3 new trades a day
    const flags = [
      ['--strategy', 'sma-cross', '--params', '{"fast":5,"slow":20,"qty":2000}'],
      ['--stop-loss', '0.3', '--take-profit', '0.5', '--trailing-stop', '0.4'],
      ['--latency', '60000', '--participation', '0.01'],
      ['--limits', '{"maxDailyTrades":3,"instruments":{"reliance":{"maxNotionalPaise":900000000}}}'],
    ].flat()
    const r = await bahi(args(fresh(), flags), {}, 60_000)
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<Summary>(r)
    const events = await readAll(s.journal)
    // then the run's configuration events carry them (the default order rate kept beside the given limit)
    const config = (type: string) => events.find((e) => e.type === type)?.payload as Record<string, unknown>
    expect(config('StrategyConfigured').exits).toEqual({ stopLossPct: 0.3, takeProfitPct: 0.5, trailingStopPct: 0.4 })
    expect(config('SimulatorConfigured').config).toMatchObject({ latencyMs: 60_000, participation: 0.01 })
    // (a per-instrument limit given by symbol is recorded under the instrument's key, which is what the rules look up)
    expect(config('RiskLimitsConfigured').limits).toEqual({
      maxOrdersPerSecond: 10,
      maxDailyTrades: 3,
      instruments: { 'NSE_EQ|INE002A01018': { maxNotionalPaise: 900_000_000 } },
    })
    // and each exit fires with its reason
    const exits = new Set(events.flatMap((e) => (e.type === 'ExitTriggered' ? [e.payload.exit] : [])))
    expect([...exits].sort()).toEqual(expect.arrayContaining(['stop-loss', 'take-profit']))
    // and no order fills on a bar that opened less than a minute after its acceptance
    const acceptedAt = new Map(events.flatMap((e) => (e.type === 'OrderAccepted' ? [[e.payload.orderId, e.ts]] : [])))
    const bars = events.filter((e) => e.type === 'BarClosed')
    const fills = events.filter((e) => e.type === 'OrderFilled')
    expect(fills.length).toBeGreaterThan(0)
    const early = fills.filter((f) => {
      const bar = bars.findLast((b) => b.seq < f.seq)
      return bar?.type === 'BarClosed' && bar.payload.openMs < acceptedAt.get(f.payload.orderId)! + 60_000
    })
    expect(early).toEqual([])
    // and the volume cap splits orders into partial fills
    const fillsPerOrder = new Map<string, number>()
    for (const f of fills)
      if (f.type === 'OrderFilled')
        fillsPerOrder.set(f.payload.orderId, (fillsPerOrder.get(f.payload.orderId) ?? 0) + 1)
    expect(Math.max(...fillsPerOrder.values())).toBeGreaterThan(1)
    // and the daily trade limit denies by name, counted by rule in the summary
    const denied = events.filter((e) => e.type === 'OrderDenied' && e.payload.rule === 'DailyTrades').length
    expect(denied).toBeGreaterThan(0)
    expect(s.deniedOrders.DailyTrades).toBe(denied)
    // and the configuration is part of the run id
    const plain = parseJsonOut<Summary>(await bahi(args(fresh(), flags.slice(0, 4)), {}, 60_000))
    expect(plain.runId).not.toBe(s.runId)
  }, 120_000)

  it('rests stop orders from a strategy: opening-range-breakout buy stops fill at or above their trigger, or expire', async () => {
    // given the opening-range breakout entering by a buy stop at the range high, filled on the touch model
    const flags = ['--strategy', 'opening-range-breakout', '--params', '{"entry":"stop","qty":10}']
    const r = await bahi(
      args(fresh(), [
        ...flags,
        '--fill-model',
        'touch',
        '--fill-probability',
        '0.8',
        '--from',
        '2025-01-01',
        '--to',
        '2025-01-10',
      ]),
    )
    expect(r.code, r.stderr).toBe(0)
    const s = parseJsonOut<Summary>(r)
    const events = await readAll(s.journal)
    const simulator = events.find((e) => e.type === 'SimulatorConfigured')
    expect(simulator?.type === 'SimulatorConfigured' && simulator.payload.config.limitFillProbability).toBe(0.8)
    // then every entry is a SL-M order with its trigger at the range high, and every buy fills at or above it
    const stops = new Map(
      events.flatMap((e) =>
        e.type === 'OrderRequested' && e.payload.orderType === 'SL-M' ? [[e.payload.orderId, e.payload]] : [],
      ),
    )
    expect(stops.size).toBeGreaterThan(0)
    const entryFills = events.flatMap((e) =>
      e.type === 'OrderFilled' && stops.has(e.payload.orderId) ? [e.payload] : [],
    )
    expect(entryFills.length).toBeGreaterThan(0)
    expect(entryFills.filter((f) => f.fillPricePaise < stops.get(f.orderId)!.triggerPricePaise!)).toEqual([])
    // and a stop that no trade reached expires with its day
    const expired = events.flatMap((e) => (e.type === 'OrderExpired' ? [e.payload] : []))
    expect(expired.length).toBeGreaterThan(0)
    expect(
      expired.every((x) => stops.has(x.orderId) && /^DAY order unfilled at the end of 2025-01-\d\d$/.test(x.reason!)),
    ).toBe(true)
    // and the journal verifies
    const v = await bahi(['replay', s.journal, '--verify', '--json'])
    expect(parseJsonOut<{ divergences: number }>(v).divergences).toBe(0)
  }, 120_000)

  it('--product D: delivery orders, held overnight, charged as delivery', async () => {
    // given sma-cross on delivery over ten days
    const flags = ['--strategy', 'sma-cross', '--params', '{"fast":10,"slow":30,"qty":10}', '--product', 'D']
    const r = await bahi(args(fresh(), [...flags, '--from', '2025-01-01', '--to', '2025-01-10']), {}, 60_000)
    expect(r.code, r.stderr).toBe(0)
    const events = await readAll(parseJsonOut<Summary>(r).journal)
    // then the instance is configured as delivery with no square-off, and every order is a delivery order
    const configured = events.find((e) => e.type === 'StrategyConfigured')
    expect(configured?.type === 'StrategyConfigured' && [configured.payload.product, configured.payload.exits]).toEqual(
      ['D', { squareOff: 'off' }],
    )
    const orders = events.flatMap((e) => (e.type === 'OrderRequested' ? [e.payload] : []))
    expect(orders.length).toBeGreaterThan(0)
    expect(new Set(orders.map((o) => o.product))).toEqual(new Set(['D']))
    expect(events.some((e) => e.type === 'ExitTriggered')).toBe(false)
    // and each fill carries the delivery charges of its value (brokerage on an order's first fill)
    const seen = new Set<string>()
    const wrong = events.flatMap((e) => {
      if (e.type !== 'OrderFilled') return []
      const f = e.payload
      const want = equityCharges(scheduleOn(UPSTOX_EQUITY_SCHEDULES, istDateOf(e.ts)), {
        side: f.side,
        product: 'D',
        valuePaise: f.fillQty * f.fillPricePaise,
        chargeBrokerage: !seen.has(f.orderId),
      }).totalPaise
      seen.add(f.orderId)
      return f.feesPaise === want ? [] : [{ seq: e.seq, fees: f.feesPaise, want }]
    })
    expect(seen.size).toBeGreaterThan(0)
    expect(wrong).toEqual([])
  }, 60_000)

  it('refuses to write into a directory that already holds a journal', async () => {
    const out = fresh()
    expect((await bahi(args(out), {}, 60_000)).code).toBe(0)
    const again = await bahi(args(out))
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('already exists')
  }, 120_000)

  itWithNseData(
    'on the real data: imported into the market store, January 2025 of RELIANCE backtests and verifies',
    async () => {
      const home = temp.make('bahi-bt-home-')
      const folder = join(nseDataDir(), 'equity-1min-2025', '5Scripts', 'RELIANCE')
      const imported = await bahi(['import', folder, '--home', home, '--json'], {}, 120_000)
      expect(imported.code, imported.stderr).toBe(0)
      const januaryFiles = readdirSync(folder).filter((f) => f.endsWith('-01-2025.csv')).length
      const out = fresh()
      const r = await bahi(
        [
          'backtest',
          '--home',
          home,
          '--strategy',
          'sma-cross',
          '--instruments',
          'RELIANCE',
          '--from',
          '2025-01-01',
          '--to',
          '2025-01-31',
          '--out',
          out,
          '--json',
        ],
        {},
        120_000,
      )
      expect(r.code, r.stderr).toBe(0)
      const s = parseJsonOut<Summary>(r)
      expect(s.bars).toBe(januaryFiles * 375)
      const v = await bahi(['replay', s.journal, '--verify', '--json'])
      expect(parseJsonOut<{ divergences: number }>(v).divergences).toBe(0)
      // Sealing the finished days for reader processes: one partition per day of data.
      const seal = await bahi(['data', 'seal', '--home', home, '--before', '2025-08-01', '--json'])
      expect(parseJsonOut<{ partitions: number; bars: number }>(seal)).toMatchObject({
        partitions: readdirSync(folder).length,
        bars: readdirSync(folder).length * 375,
      })
      const none = await bahi([
        'backtest',
        '--home',
        temp.make('bahi-empty-'),
        '--strategy',
        'sma-cross',
        '--instruments',
        'RELIANCE',
        '--from',
        '2025-01-01',
        '--to',
        '2025-01-31',
        '--out',
        fresh(),
      ])
      expect(none.code).toBe(2)
      expect(none.stderr).toContain('no market store at')
      // An instrument the store has no bars for, or none in the range, is refused by name before anything is written
      const base = ['backtest', '--home', home, '--strategy', 'sma-cross', '--from', '2025-01-01', '--to', '2025-01-31']
      const refusedOut = fresh()
      const missing = await bahi([...base, '--instruments', 'RELIANCE,TCS', '--out', refusedOut])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain(
        'no 1-minute bars between 2025-01-01 and 2025-01-31 for: TCS (NSE_EQ|INE467B01029) has no 1-minute bars in the store',
      )
      expect(existsSync(refusedOut)).toBe(false)
      // and a sweep checks the same, once, before any of its runs
      const sweepOut = fresh()
      const sweep = await bahi([
        'sweep',
        ...base.slice(1),
        '--instruments',
        'RELIANCE,TCS',
        '--grid',
        '{"fast":[5,10]}',
        '--out',
        sweepOut,
      ])
      expect(sweep.code).toBe(2)
      expect(sweep.stderr).toContain('TCS (NSE_EQ|INE467B01029) has no 1-minute bars in the store')
      expect(existsSync(sweepOut)).toBe(false)
      const outOfRange = await bahi([
        ...base,
        '--instruments',
        'RELIANCE',
        '--from',
        '2024-06-03',
        '--to',
        '2024-06-28',
        '--out',
        fresh(),
      ])
      expect(outOfRange.code).toBe(2)
      expect(outOfRange.stderr).toMatch(
        /RELIANCE \(NSE_EQ\|INE002A01018\) has 1-minute bars only from 2025-01-01 to 2025-\d\d-\d\d/,
      )
      const noDaily = await bahi([
        ...base,
        '--instruments',
        'RELIANCE',
        '--timeframe',
        '1d',
        '--bar-source',
        'stored',
        '--out',
        fresh(),
      ])
      expect(noDaily.code).toBe(2)
      expect(noDaily.stderr).toContain('has no stored 1d bars in the store')
      // Daily bars resampled from the minutes trade as delivery, held overnight (intraday could never open on them)
      const daily = await bahi(
        [
          ...base,
          '--instruments',
          'RELIANCE',
          '--to',
          '2025-07-31',
          '--timeframe',
          '1d',
          '--params',
          '{"fast":2,"slow":5,"qty":10}',
          '--out',
          fresh(),
          '--json',
        ],
        {},
        120_000,
      )
      expect(daily.code, daily.stderr).toBe(0)
      const dailyRun = parseJsonOut<Summary>(daily)
      expect(dailyRun.closedTrades).toBeGreaterThan(0)
      const requested = (await readAll(dailyRun.journal)).flatMap((e) =>
        e.type === 'OrderRequested' ? [e.payload.product] : [],
      )
      expect(new Set(requested)).toEqual(new Set(['D']))
    },
    240_000,
  )

  itWithNseData(
    'names instruments by the trading symbols of an imported Upstox instrument master, derivatives included',
    async () => {
      // given the hand-written master (INFY on NSE_EQ, and an NSE_FO row claiming INFY too), plus a futures contract
      // of its own symbol, and INFY's daily bars resolved through the master
      const home = temp.make('bahi-bt-master-')
      const master = join(import.meta.dirname, '..', 'marketData', 'fixtures', 'upstoxInstrumentsMaster.json')
      const extra = join(temp.make('bahi-bt-master-extra-'), 'fut.json')
      writeFileSync(
        extra,
        JSON.stringify([
          {
            instrument_key: 'NSE_FO|FIXTURE-INFY-25FEB',
            exchange: 'NSE',
            segment: 'NSE_FO',
            trading_symbol: 'INFY25FEBFUT',
            name: 'HAND-WRITTEN FIXTURE, NOT A REAL KEY',
            lot_size: 400,
            tick_size: 10.0,
            instrument_type: 'FUT',
            expiry: 1740700799000,
          },
        ]),
      )
      for (const f of [master, extra, join(nseDataDir(), 'eod-2024-2025', 'data', 'eod', 'INFY.csv')]) {
        const imported = await bahi(['import', f, '--home', home, '--json'], {}, 60_000)
        expect(imported.code, imported.stderr).toBe(0)
      }
      const run = (instruments: string) =>
        bahi(
          [
            'backtest',
            '--home',
            home,
            '--strategy',
            'sma-cross',
            '--params',
            '{"fast":5,"slow":20,"qty":1}',
            '--timeframe',
            '1d',
            '--bar-source',
            'stored',
            '--instruments',
            instruments,
            '--from',
            '2024-09-01',
            '--to',
            '2025-07-31',
            '--out',
            fresh(),
            '--json',
          ],
          {},
          60_000,
        )
      // when the backtest names INFY: the NSE equity of the master (not the futures row), whose bars were stored
      const r = await run('INFY')
      expect(r.code, r.stderr).toBe(0)
      const s = parseJsonOut<Summary>(r)
      expect(s.bars).toBeGreaterThan(200)
      const configured = (await readAll(s.journal)).find((e) => e.type === 'StrategyConfigured')
      expect(configured?.type === 'StrategyConfigured' && configured.payload.instruments).toEqual([
        'NSE_EQ|FIXTURE-INFY',
      ])
      // and a contract's own symbol resolves to its key: refused only for having no bars, named by symbol and key
      const fut = await run('INFY25FEBFUT')
      expect(fut.code).toBe(2)
      expect(fut.stderr).toContain('INFY25FEBFUT (NSE_FO|FIXTURE-INFY-25FEB) has no stored 1d bars in the store')
      // and a symbol nobody knows is refused, saying how to make it known
      const unknown = await run('NOSUCHSYMBOL')
      expect(unknown.code).toBe(2)
      expect(unknown.stderr).toContain(
        'unknown instrument(s) NOSUCHSYMBOL: use instrument keys, symbols of data/instruments/nse-symbols.csv, or ' +
          'trading symbols of an Upstox instrument master imported into the store (bahi import NSE.json)',
      )
    },
    120_000,
  )

  itWithNseData(
    'on stored ticks: bars built as the live session builds them, each tick after the bars it follows, fills at trades',
    async () => {
      // given three days of per-second NIFTY values imported as ticks, with the aggregator's 1-minute bars stored too
      const home = temp.make('bahi-bt-ticks-')
      const days = ['2022-11-01', '2022-11-02', '2022-11-03']
      const files = days.map((d) => join(nseDataDir(), 'index-1s-2022-11', `${d}.csv`))
      let storedTicks = 0
      let storedBars = 0
      for (const f of files) {
        const imported = await bahi(['import', f, '--bars', '--home', home, '--json'], {}, 120_000)
        expect(imported.code, imported.stderr).toBe(0)
        const j = parseJsonOut<{ byTable: { ticks: { imported: number }; bars: { imported: number } } }>(imported)
        storedTicks += j.byTable.ticks.imported
        storedBars += j.byTable.bars.imported
      }
      // when sma-cross backtests on the ticks
      const out = fresh()
      const r = await bahi(
        [
          'backtest',
          '--home',
          home,
          '--data',
          'ticks',
          '--strategy',
          'sma-cross',
          '--params',
          '{"fast":5,"slow":20,"qty":50}',
          '--instruments',
          'NSE_INDEX|Nifty 50',
          '--from',
          days[0]!,
          '--to',
          days.at(-1)!,
          '--out',
          out,
          '--json',
        ],
        {},
        120_000,
      )
      expect(r.code, r.stderr).toBe(0)
      const s = parseJsonOut<Summary & { ticks: number }>(r)
      // then every stored tick was stepped, with exactly the bars the importer's aggregator stored
      expect(s.ticks).toBe(storedTicks)
      expect(s.bars).toBe(storedBars)
      expect(s.closedTrades).toBeGreaterThan(0)
      const events = await readAll(s.journal)
      const store = right(await openMarketStore(join(home, 'market', 'market.duckdb'), pino({ level: 'silent' })))
      const stored: unknown[] = []
      try {
        const stream = right(await store.streamBars({ instrumentKeys: [], timeframe: '1m' }))
        for await (const chunk of stream) for (const b of chunk) stored.push(b.payload)
      } finally {
        store.close()
      }
      expect(events.flatMap((e) => (e.type === 'BarClosed' ? [e.payload] : []))).toEqual(stored)
      const market = events.filter((e) => e.type === 'TickReceived' || e.type === 'BarClosed')
      const timeOf = (e: (typeof market)[number]) => (e.type === 'TickReceived' ? e.payload.lttMs : e.ts)
      // and in time order, a bar before any tick at or after its close
      const misplaced = market.findIndex(
        (e, i) =>
          i > 0 &&
          (timeOf(e) < timeOf(market[i - 1]!) ||
            (timeOf(e) === timeOf(market[i - 1]!) && e.type === 'BarClosed' && market[i - 1]!.type === 'TickReceived')),
      )
      expect(misplaced).toBe(-1)
      // and each fill is at the price of the trade it followed (next-open on ticks: the next trade)
      let lastLtp = 0
      const fillsOffTrade: number[] = []
      for (const e of events) {
        if (e.type === 'TickReceived') lastLtp = e.payload.ltpPaise
        if (e.type === 'OrderFilled' && e.payload.fillPricePaise !== lastLtp) fillsOffTrade.push(e.seq)
      }
      expect(events.filter((e) => e.type === 'OrderFilled').length).toBeGreaterThan(0)
      expect(fillsOffTrade).toEqual([])
      // and the journal verifies
      const v = await bahi(['replay', s.journal, '--verify', '--json'])
      expect(parseJsonOut<{ divergences: number; events: number }>(v)).toMatchObject({
        divergences: 0,
        events: s.events,
      })
      // and sealing puts every tick and bar into Parquet for reader processes, one partition a day, and only once
      const sealArgs = ['data', 'seal', '--home', home, '--before', '2022-11-04', '--json']
      const seal = await bahi(sealArgs, {}, 60_000)
      expect(seal.code, seal.stderr).toBe(0)
      expect(parseJsonOut(seal)).toMatchObject({
        bars: storedBars,
        partitions: 3,
        unchanged: 0,
        ticks: { sealed: join(home, 'market', 'sealed-ticks'), ticks: storedTicks, partitions: 3, unchanged: 0 },
      })
      const again = await bahi(sealArgs, {}, 60_000)
      expect(parseJsonOut(again)).toMatchObject({ bars: 0, unchanged: 3, ticks: { ticks: 0, unchanged: 3 } })
      // and an instrument without ticks is refused with a reason
      const none = await bahi(
        ['backtest', '--home', home, '--data', 'ticks', '--strategy', 'sma-cross', '--instruments', 'RELIANCE'].concat([
          '--from',
          days[0]!,
          '--to',
          days.at(-1)!,
          '--out',
          fresh(),
        ]),
        {},
        60_000,
      )
      expect(none.code).toBe(2)
      expect(none.stderr).toContain(
        'no ticks between 2022-11-01 and 2022-11-03 for: RELIANCE (NSE_EQ|INE002A01018) has no ticks in the store',
      )
    },
    300_000,
  )
})
