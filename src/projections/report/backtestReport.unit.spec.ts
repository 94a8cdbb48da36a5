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
import { RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import { positionKey } from '../positions/index.js'
import { createReport, observe } from './backtestReport.js'

// Round trips from a journal: entered on one signal, left on another, reversed through zero.

describe('closed trades', () => {
  it('a long round trip and a reversal into a short, each with the reasons that opened and closed it', () => {
    const engine = streakEngine()
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
    const journal = cascadeJournal(engine, inputs)
    // Fold the recorded journal, as the report does.
    const state = engine.initialState()
    const report = createReport()
    for (const e of journal) {
      const before =
        e.type === 'OrderFilled'
          ? (state.trading.portfolio.positions.get(positionKey(e.payload.strategyId, e.payload.instrumentKey))?.qty ??
            0)
          : 0
      engine.evolve(state, e)
      observe(report, state.trading, e, before)
    }
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
