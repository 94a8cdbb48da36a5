import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import {
  barClosed,
  cascadeJournal,
  MINUTE,
  runStarted,
  signalEmitted,
  streakEngine,
} from '../engine/engine.fixtures.js'
import { INFY, RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import { createReport, observe, type ReportState } from './backtestReport.js'
import { computeMetrics } from './performanceMetrics.js'

// Round trips from a journal: entered on one signal, left on another, reversed through zero; exposure over the bar
// periods the run saw.

/** Runs the inputs through the engine and folds the recorded journal into a report, as buildReport does. */
const foldReport = (inputs: readonly EventDraft[]): ReportState => {
  const engine = streakEngine()
  const journal = cascadeJournal(engine, inputs)
  const state = engine.initialState()
  const report = createReport()
  for (const e of journal) {
    engine.evolve(state, e)
    observe(report, state.trading, e)
  }
  return report
}

const DAY = 86_400_000

describe('exposure', () => {
  it('is the share of bar periods with a position open, not of calendar time: nights do not count', () => {
    // Day 1: six 1-minute bars (09:15 to 09:20). LONG after bar 1 fills at bar 2's open; FLAT after bar 4 fills at
    // bar 5's open: held through bars 2, 3 and 4. Day 2: four bars, flat. By hand: 3 of 10 periods = 30%.
    // Calendar time would give 3 minutes of the ~24 hours between the first and the last event: about 0.2%.
    const px = (day: number, n: number) =>
      barClosed(RELIANCE, { open: 100_000, close: 100_000 }, T0 + day * DAY + n * MINUTE)
    const report = foldReport([
      runStarted(),
      px(0, 1),
      signalEmitted({ intent: 'LONG', qty: 10 }, T0 + MINUTE),
      px(0, 2),
      px(0, 3),
      px(0, 4),
      signalEmitted({ intent: 'FLAT' }, T0 + 4 * MINUTE),
      px(0, 5),
      px(0, 6),
      ...[1, 2, 3, 4].map((n) => px(1, n)),
    ])
    expect(report.trades.map((t) => [t.entryTs, t.exitTs])).toEqual([[T0 + 2 * MINUTE, T0 + 5 * MINUTE]])
    expect(computeMetrics(report, 100_000_000, 0).exposurePct).toBe(30)
  })

  it('counts one period for the bars of several instruments that start together, and the last one while held', () => {
    // RELIANCE and INFY bars at 09:15, 09:16 and 09:17: 3 periods, not 6. LONG after the first fills at the second's
    // open and is still held at the end: periods 2 and 3 of 3.
    const at = (n: number) =>
      [RELIANCE, INFY].map((k) => barClosed(k, { open: 100_000, close: 100_000 }, T0 + n * MINUTE))
    const report = foldReport([
      runStarted(),
      ...at(1),
      signalEmitted({ intent: 'LONG', qty: 10 }, T0 + MINUTE),
      ...at(2),
      ...at(3),
    ])
    expect(report.open.size).toBe(1)
    expect(computeMetrics(report, 100_000_000, 0).exposurePct).toBeCloseTo((2 / 3) * 100, 3)
  })
})

describe('closed trades', () => {
  it('a long round trip and a reversal into a short, each with the reasons that opened and closed it', () => {
    const px = (n: number, close: number) => barClosed(RELIANCE, { open: close, close }, T0 + n * MINUTE)
    const inputs: EventDraft[] = [
      runStarted(),
      signalEmitted({ intent: 'LONG', qty: 10, reason: 'go long' }, T0),
      px(1, 100_000),
      signalEmitted({ intent: 'SHORT', qty: 5, reason: 'turn short' }, T0 + MINUTE),
      px(2, 101_000),
      signalEmitted({ intent: 'FLAT', reason: 'done' }, T0 + 2 * MINUTE),
      px(3, 100_500),
    ]
    // Fold the recorded journal, as the report does.
    const report = foldReport(inputs)
    expect(report.trades.map((t) => [t.side, t.qty, t.entryPricePaise, t.exitPricePaise, t.netPnlPaise])).toEqual([
      ['LONG', 10, 100_000, 101_000, 10 * 1_000],
      ['SHORT', 5, 101_000, 100_500, 5 * 500],
    ])
    expect(report.trades.map((t) => [t.entryReason, t.exitReason])).toEqual([
      ['LONG 10 (held 0): go long', 'SHORT 5 (held 10): turn short'],
      ['SHORT 5 (held 10): turn short', 'FLAT (held -5): done'],
    ])
    expect(report.open.size).toBe(0)
  })
})
