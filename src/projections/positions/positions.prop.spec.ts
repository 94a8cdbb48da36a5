import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventDraft } from '../../domain/events/index.js'
import type { InstrumentKey, StrategyId } from '../../domain/ids/index.js'
import { barClosed, runStarted, tickReceived } from '../engine/engine.fixtures.js'
import { INFY, numbered, orderFilled, RELIANCE, STREAK_A, STREAK_B, T0 } from '../orders/orderBook.fixtures.js'
import { createTradingState, evolveTradingState, type TradingState } from '../state/index.js'
import { positionKey, unrealizedPaise } from './positions.js'

// Positions and cash over generated fills and marks, checked after every event against a model computed from
// scratch. The exact identity follows from the accounting in positions.ts: per position (checked too),
// realized - cost == -(signed sum of qty x price), and cash moves by -(qty x price) - fees per fill, so
//   cash - initialCash == sum(realized - cost) - fees
// and, adding sum(qty x mark) == positionValue to both sides (unrealized == qty x mark - cost):
//   cash - initialCash + positionValue == realized + sum(unrealized at the mark) - fees.

const STRATEGIES: readonly StrategyId[] = [STREAK_A, STREAK_B]
const INSTRUMENTS: readonly InstrumentKey[] = [RELIANCE, INFY]

const priceArb = fc.integer({ min: 1, max: 1_000_000 })
const fillArb = fc.record({
  kind: fc.constant('fill' as const),
  strategy: fc.constantFrom(...STRATEGIES),
  instrument: fc.constantFrom(...INSTRUMENTS),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  qty: fc.integer({ min: 1, max: 500 }),
  price: priceArb,
  fees: fc.integer({ min: 0, max: 5000 }),
})
const markArb = fc.record({
  kind: fc.constantFrom('tick' as const, 'bar' as const),
  instrument: fc.constantFrom(...INSTRUMENTS),
  price: priceArb,
})
type Step =
  typeof fillArb extends fc.Arbitrary<infer F> ? F | (typeof markArb extends fc.Arbitrary<infer M> ? M : never) : never

const runArb = fc.record({
  capital: fc.integer({ min: 0, max: 10_000_000_000 }),
  steps: fc.array(fc.oneof({ weight: 3, arbitrary: fillArb }, { weight: 1, arbitrary: markArb }), {
    maxLength: 80,
    size: 'max',
  }),
})

const toDraft = (s: Step, i: number): EventDraft => {
  const ts = T0 + i * 1000
  if (s.kind === 'fill') {
    return orderFilled(
      {
        orderId: `f${i}`,
        strategyId: s.strategy,
        instrumentKey: s.instrument,
        side: s.side,
        fillQty: s.qty,
        fillPricePaise: s.price,
        feesPaise: s.fees,
      },
      ts,
    )
  }
  return s.kind === 'tick'
    ? tickReceived(s.instrument, s.price, ts)
    : barClosed(s.instrument, { open: s.price + 7, close: s.price }, ts)
}

/** What the portfolio should hold, computed from the fills and marks seen so far. */
interface Model {
  readonly qty: Map<string, number>
  readonly buys: Map<string, number>
  readonly sells: Map<string, number>
  readonly fees: Map<string, number>
  /** Signed sum of qty x price of the fills. */
  readonly flow: Map<string, number>
  /** Last tick price or bar close; else the first fill's price. */
  readonly mark: Map<string, number>
  cash: number
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)

/** Every way the portfolio disagrees with the model, as text (plain comparisons: this runs after every event). */
const disagreements = (s: TradingState, model: Model, initialCash: number): string[] => {
  const out: string[] = []
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (actual !== expected) out.push(`${what}: ${String(actual)}, expected ${String(expected)}`)
  }
  const p = s.portfolio
  same('initial cash', p.initialCashPaise, initialCash)
  same('cash', p.cashPaise, model.cash)
  same('positions', [...p.positions.keys()].sort().join(), [...model.qty.keys()].sort().join())
  let realized = 0
  let unrealized = 0
  let fees = 0
  let value = 0
  for (const [key, pos] of p.positions) {
    same(`${key} qty`, pos.qty, model.qty.get(key))
    same(`${key} bought`, pos.buyQty, model.buys.get(key) ?? 0)
    same(`${key} sold`, pos.sellQty, model.sells.get(key) ?? 0)
    same(`${key} fees`, pos.feesPaise, model.fees.get(key))
    same(`${key} realized - cost + flow`, pos.realizedPaise - pos.costPaise + model.flow.get(key)!, 0)
    const mark = model.mark.get(pos.instrumentKey)!
    same(`${pos.instrumentKey} mark`, p.marks.get(pos.instrumentKey)?.markPaise, mark)
    realized += pos.realizedPaise
    unrealized += unrealizedPaise(pos, mark)
    fees += pos.feesPaise
    value += pos.qty * mark
  }
  for (const instrumentKey of INSTRUMENTS) {
    const net = STRATEGIES.reduce((q, st) => q + (model.qty.get(positionKey(st, instrumentKey)) ?? 0), 0)
    same(`${instrumentKey} net qty`, p.marks.get(instrumentKey)?.netQty ?? 0, net)
  }
  same('realized', p.realizedPaise, realized)
  same('fees', p.feesPaise, fees)
  same('position value', p.positionValuePaise, value)
  for (const [what, n] of Object.entries({ cash: p.cashPaise, realized, value, unrealized })) {
    if (!Number.isSafeInteger(n)) out.push(`${what} is not a safe integer: ${n}`)
  }
  same(
    'cash - initialCash + positionValue vs realized + unrealized - fees',
    p.cashPaise - p.initialCashPaise + p.positionValuePaise,
    p.realizedPaise + unrealized - p.feesPaise,
  )
  return out
}

describe('positions over generated fills and marks', () => {
  it('quantities are the signed sums of fills, and cash, PnL, fees and position value reconcile to the paisa', () => {
    fc.assert(
      fc.property(runArb, ({ capital, steps }) => {
        const s = createTradingState()
        const model: Model = {
          qty: new Map(),
          buys: new Map(),
          sells: new Map(),
          fees: new Map(),
          flow: new Map(),
          mark: new Map(),
          cash: capital,
        }
        const journal = numbered([runStarted({ capitalPaise: capital }), ...steps.map(toDraft)])
        evolveTradingState(s, journal[0]!)
        expect(disagreements(s, model, capital)).toEqual([])
        steps.forEach((step, i) => {
          evolveTradingState(s, journal[i + 1]!)
          if (step.kind === 'fill') {
            const key = positionKey(step.strategy, step.instrument)
            const signed = step.side === 'BUY' ? step.qty : -step.qty
            add(model.qty, key, signed)
            add(step.side === 'BUY' ? model.buys : model.sells, key, step.qty)
            add(model.fees, key, step.fees)
            add(model.flow, key, signed * step.price)
            if (!model.mark.has(step.instrument)) model.mark.set(step.instrument, step.price)
            model.cash -= signed * step.price + step.fees
          } else {
            model.mark.set(step.instrument, step.price)
          }
          expect(disagreements(s, model, capital)).toEqual([])
        })
      }),
      { numRuns: 200 },
    )
  })
})
