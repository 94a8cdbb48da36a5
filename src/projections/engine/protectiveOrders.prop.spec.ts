import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import { positionKey } from '../positions/index.js'
import { barClosed, cascadeJournal, MINUTE, runStarted, strategyConfigured, streakEngine } from './engine.fixtures.js'
import { DEFAULT_SIMULATOR_CONFIG } from './simulator.js'

// Resting exits never trade past the position they protect: over generated bars with wicks that reach stops and
// targets (both, often, in one bar), while the strategy reverses its own position, with and without a volume cap
// (partial fills of the strategy's orders and of the exits, in one bar too), an order latency and probabilistic limit
// fills, no fill takes the position beyond the strategy's own quantity. Once two quiet bars have passed, the exits
// are in step with the position: none when it is flat or while an order of the strategy's own reduces it, else one
// stop and one target for all of it.

const barArb = fc.record({
  move: fc.integer({ min: -400, max: 400 }),
  up: fc.nat(500),
  down: fc.nat(500),
  volume: fc.integer({ min: 0, max: 3000 }),
})

/** A bar at `px` with no volume: nothing fills under a volume cap, and the resting exits are checked. */
const quietBar = (px: number, ts: number): EventDraft => {
  const d = barClosed(RELIANCE, { open: px, close: px }, ts)
  return d.type === 'BarClosed' ? { ...d, payload: { ...d.payload, volume: 0 } } : d
}

describe('resting exits, over generated bars', () => {
  it('never take a position past the strategy’s quantity, and leave none working once it is flat', () => {
    fc.assert(
      fc.property(
        fc.array(barArb, { minLength: 5, maxLength: 120 }),
        fc.integer({ min: 1, max: 30 }),
        fc.constantFrom(0.1, 0.3, 1),
        fc.constantFrom(0.1, 0.4, 2),
        fc.constantFrom(undefined, 0.003, 0.01, 0.5),
        // Orders live only after a latency, and limits touched inside a bar filling by a seeded draw.
        fc.constantFrom(0, 1000, 90_000),
        fc.constantFrom(1, 0.5),
        (steps, qty, stopLossPct, takeProfitPct, participation, latencyMs, limitFillProbability) => {
          let px = 100_000
          const bars: EventDraft[] = steps.map((b, i) => {
            const open = px
            px = Math.max(1_000, px + b.move)
            const d = barClosed(RELIANCE, { open, close: px }, T0 + (i + 1) * MINUTE)
            if (d.type !== 'BarClosed') return d
            const high = Math.max(open, px) + b.up
            const low = Math.max(5, Math.min(open, px) - b.down)
            return {
              ...d,
              payload: {
                ...d.payload,
                highPaise: unsafeMoney.price(high),
                lowPaise: unsafeMoney.price(low),
                volume: b.volume,
              },
            }
          })
          const engine = streakEngine()
          const state = engine.initialState()
          const journal = cascadeJournal(
            engine,
            [
              runStarted(),
              {
                type: 'SimulatorConfigured',
                ts: T0,
                payload: {
                  config: {
                    ...DEFAULT_SIMULATOR_CONFIG,
                    fillModel: 'touch',
                    latencyMs,
                    limitFillProbability,
                    ...(participation === undefined ? {} : { participation }),
                  },
                },
              },
              strategyConfigured({
                params: { bars: 2, qty },
                exits: { stopLossPct, takeProfitPct, resting: true, squareOff: 'off' },
              }),
              ...bars,
              quietBar(px, T0 + (steps.length + 1) * MINUTE),
              quietBar(px, T0 + (steps.length + 2) * MINUTE),
            ],
            state,
          )
          let position = 0
          for (const e of journal) {
            if (e.type !== 'OrderFilled') continue
            position += e.payload.side === 'BUY' ? e.payload.fillQty : -e.payload.fillQty
            expect(Math.abs(position)).toBeLessThanOrEqual(qty)
          }
          const held = [...state.trading.portfolio.positions.values()][0]?.qty ?? 0
          expect(held).toBe(position)
          const resting = [...state.trading.orders.working.values()].filter((o) => o.protects !== undefined)
          const reducing = [...state.trading.orders.working.values()].some(
            (o) => o.protects === undefined && (o.side === 'BUY' ? 1 : -1) !== Math.sign(held),
          )
          const inStep =
            held === 0 || reducing
              ? []
              : [
                  ['stop-loss', Math.abs(held)],
                  ['take-profit', Math.abs(held)],
                ]
          expect(resting.map((o) => [o.protects, o.qty - o.filledQty]).sort()).toEqual(inStep)
          expect(state.trading.portfolio.positions.has(positionKey('streak.a', RELIANCE))).toBe(
            journal.some((e) => e.type === 'OrderFilled'),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
