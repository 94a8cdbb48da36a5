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
// stop and one target for all of it. With a trailing stop drawn too, the stop is only ever moved tighter, and after
// the quiet bars it rests at least as tight as the tighter of the stop loss (from the entry) and the trail (from the
// best price).

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
        fc.constantFrom(undefined, 0.2, 1),
        (steps, qty, stopLossPct, takeProfitPct, participation, latencyMs, limitFillProbability, trailingStopPct) => {
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
                exits: {
                  stopLossPct,
                  takeProfitPct,
                  resting: true,
                  squareOff: 'off',
                  ...(trailingStopPct === undefined ? {} : { trailingStopPct }),
                },
              }),
              ...bars,
              quietBar(px, T0 + (steps.length + 1) * MINUTE),
              quietBar(px, T0 + (steps.length + 2) * MINUTE),
            ],
            state,
          )
          let position = 0
          const triggers = new Map<string, { side: string; trigger: number }>()
          for (const e of journal) {
            if (e.type === 'OrderRequested' && e.payload.triggerPricePaise !== undefined)
              triggers.set(e.payload.orderId, { side: e.payload.side, trigger: e.payload.triggerPricePaise })
            if (e.type === 'OrderModifyRequested') {
              // Only a trailing stop is moved, and only tighter: up for the SELL stop of a long, down for a short's.
              const was = triggers.get(e.payload.orderId)!
              const next = e.payload.triggerPricePaise!
              expect(trailingStopPct).toBeDefined()
              expect(was.side === 'SELL' ? next > was.trigger : next < was.trigger).toBe(true)
              triggers.set(e.payload.orderId, { side: was.side, trigger: next })
            }
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
          const stop = resting.find((o) => o.protects === 'stop-loss')
          if (stop !== undefined && !reducing) {
            const pos = state.trading.portfolio.positions.get(positionKey('streak.a', RELIANCE))!
            const best = state.exits.tracked.get(positionKey('streak.a', RELIANCE))!.best
            const long = held > 0
            const tick = (p: number) => Math.max(5, Math.round(p / 5) * 5)
            const fixed = tick((pos.costPaise / held) * (1 + ((long ? -1 : 1) * stopLossPct) / 100))
            const trail =
              trailingStopPct === undefined ? fixed : tick(best * (1 + ((long ? -1 : 1) * trailingStopPct) / 100))
            // At that level, or (a partial fill of the stop rounded the entry of what is left) a tick or so tighter:
            // a working stop is never loosened.
            const wanted = long ? Math.max(fixed, trail) : Math.min(fixed, trail)
            if (trailingStopPct === undefined) expect(stop.triggerPricePaise).toBe(wanted)
            else expect(long ? stop.triggerPricePaise! >= wanted : stop.triggerPricePaise! <= wanted).toBe(true)
          }
          expect(state.trading.portfolio.positions.has(positionKey('streak.a', RELIANCE))).toBe(
            journal.some((e) => e.type === 'OrderFilled'),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
