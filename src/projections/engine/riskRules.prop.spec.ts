import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import { RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import {
  barClosed,
  cascadeJournal,
  killSwitchEngaged,
  MINUTE,
  runStarted,
  strategyConfigured,
  streakEngine,
} from './engine.fixtures.js'

// Over generated bar streams, with a strategy that keeps asking: no position ever exceeds its limit, and no order is
// submitted while an operator's kill switch is engaged.

const closes = fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 20, maxLength: 150 })

const barsFrom = (steps: readonly number[]): EventDraft[] => {
  let px = 100_000
  return steps.map((d, i) => {
    const open = px
    px = Math.max(1_000, px + d * 5)
    return barClosed(RELIANCE, { open, close: px }, T0 + (i + 1) * MINUTE)
  })
}

describe('risk properties', () => {
  it('no generated bar stream takes a position past maxQty', () => {
    fc.assert(
      fc.property(closes, fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 30 }), (steps, maxQty, qty) => {
        const journal = cascadeJournal(streakEngine(), [
          runStarted(),
          { type: 'RiskLimitsConfigured', ts: T0, payload: { limits: { maxQty } } },
          strategyConfigured({ params: { bars: 2, qty }, exits: { squareOff: 'off' } }),
          ...barsFrom(steps),
        ])
        let position = 0
        for (const e of journal) {
          if (e.type !== 'OrderFilled') continue
          position += e.payload.side === 'BUY' ? e.payload.fillQty : -e.payload.fillQty
          expect(Math.abs(position)).toBeLessThanOrEqual(maxQty)
        }
        // And when the strategy asks for more than the limit, the denial names the rule.
        if (qty > maxQty) {
          expect(journal.some((e) => e.type === 'OrderDenied' && e.payload.rule === 'MaxQty')).toBe(
            journal.some((e) => e.type === 'OrderRequested'),
          )
        }
      }),
      { numRuns: 150 },
    )
  })

  it('no order is submitted while an operator kill switch is engaged', () => {
    fc.assert(
      fc.property(closes, fc.nat(), (steps, at) => {
        const bars = barsFrom(steps)
        const k = at % bars.length
        const inputs: EventDraft[] = [
          runStarted(),
          strategyConfigured({ params: { bars: 2, qty: 5 }, exits: { squareOff: 'off' } }),
          ...bars.slice(0, k),
          killSwitchEngaged('global', undefined, { source: 'operator', reason: 'halt' }, bars[k]!.ts),
          ...bars.slice(k),
        ]
        const engine = streakEngine()
        const state = engine.initialState()
        const journal = cascadeJournal(engine, inputs, state)
        const engagedAt = journal.findIndex((e) => e.type === 'KillSwitchEngaged')
        expect(engagedAt).toBeGreaterThanOrEqual(0)
        expect(journal.slice(engagedAt).filter((e) => e.type === 'OrderSubmitted')).toEqual([])
        // Orders still working when it was engaged were cancelled, not left to fill.
        expect(state.trading.orders.working.size).toBe(0)
      }),
      { numRuns: 150 },
    )
  })
})
