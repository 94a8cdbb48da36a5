import fc from 'fast-check'
import type { EventDraft, ExitConfig, RiskScope, SimulatorConfig } from '../../domain/events/index.js'
import { type InstrumentKey, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { INFY, RELIANCE, T0 } from '../orders/orderBook.fixtures.js'
import {
  barClosed,
  killSwitchEngaged,
  killSwitchReleased,
  MINUTE,
  runStarted,
  strategyConfigured,
  tickReceived,
} from './engine.fixtures.js'
import { DEFAULT_SIMULATOR_CONFIG } from './simulator.js'

// fast-check generators of engine inputs: a simulated run, a few `streak` strategies (configured in any order, on
// one or both instruments, with short streaks so they trade often and several orders are in flight at once; exits on
// the close or resting at the venue, a trailing stop among them), on either fill model, with or without a volume cap (partial fills), then a
// stream of bars, ticks, operator kill switches and re-configurations. Running them through a cascade gives a journal
// with signals, orders, fills, denials and cancellations.

const INSTRUMENTS: readonly InstrumentKey[] = [RELIANCE, INFY]
const STRATEGY_IDS: readonly StrategyId[] = ['streak.c', 'streak.a', 'streak.b', 'streak.d'].map(unsafe.strategyId)

const strategyArb = (strategyId: StrategyId) =>
  fc
    .record({
      bars: fc.integer({ min: 1, max: 3 }),
      qty: fc.integer({ min: 1, max: 20 }),
      instruments: fc.subarray([...INSTRUMENTS], { minLength: 1 }),
      enabled: fc.nat(9).map((n) => n > 0), // mostly enabled
      // Exits on the close, or resting at the simulated venue (stop and target, a stop alone, a trailing stop that is
      // moved as prices rise).
      exits: fc.constantFrom<ExitConfig | undefined>(
        undefined,
        { stopLossPct: 0.2, takeProfitPct: 0.3 },
        { stopLossPct: 0.2, takeProfitPct: 0.3, resting: true },
        { stopLossPct: 0.15, resting: true },
        { trailingStopPct: 0.1, takeProfitPct: 0.3, resting: true },
      ),
    })
    .map((c) => ({ strategyId, ...c }))

type Step =
  | { readonly kind: 'bar' | 'tick'; readonly instrument: number; readonly move: number; readonly dt: number }
  | {
      readonly kind: 'engage' | 'release'
      readonly scope: RiskScope
      readonly strategy: number
      readonly instrument: number
      readonly dt: number
    }
  | { readonly kind: 'configure'; readonly strategy: number; readonly bars: number; readonly dt: number }

const dtArb = fc.constantFrom(0, 1, 500, MINUTE, MINUTE)
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constantFrom('bar' as const, 'bar' as const, 'tick' as const),
      instrument: fc.nat(INSTRUMENTS.length - 1),
      move: fc.integer({ min: -300, max: 300 }),
      dt: dtArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('engage' as const, 'release' as const),
      scope: fc.constantFrom<RiskScope>('global', 'strategy', 'instrument'),
      strategy: fc.nat(STRATEGY_IDS.length - 1),
      instrument: fc.nat(INSTRUMENTS.length - 1),
      dt: dtArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      strategy: fc.nat(STRATEGY_IDS.length - 1),
      bars: fc.integer({ min: 0, max: 3 }), // 0 is a bad param: the strategy stops, with an error
      dt: dtArb,
    }),
  },
)

/** The inputs of a generated simulated run (drafts, in journal order, non-decreasing in time). */
export const inputsArb = (o: { readonly maxSteps?: number } = {}): fc.Arbitrary<EventDraft[]> =>
  fc
    .record({
      strategies: fc
        .shuffledSubarray([...STRATEGY_IDS], { minLength: 1 })
        .chain((ids) => fc.tuple(...ids.map(strategyArb))),
      steps: fc.array(stepArb, { minLength: 5, maxLength: o.maxSteps ?? 80, size: 'max' }),
      fillModel: fc.constantFrom<SimulatorConfig['fillModel']>('next-open', 'touch'),
      // A volume cap of 0.5% (5 shares of a fixture bar's 1000): orders, resting exits among them, fill in parts.
      participation: fc.constantFrom<number | undefined>(undefined, undefined, 0.005),
    })
    .map(({ strategies, steps, fillModel, participation }) => {
      const out: EventDraft[] = [runStarted()]
      if (fillModel !== DEFAULT_SIMULATOR_CONFIG.fillModel || participation !== undefined)
        out.push({
          type: 'SimulatorConfigured',
          ts: T0,
          payload: {
            config: {
              ...DEFAULT_SIMULATOR_CONFIG,
              fillModel,
              ...(participation === undefined ? {} : { participation }),
            },
          },
        })
      for (const c of strategies) {
        out.push(
          strategyConfigured({
            strategyId: c.strategyId,
            params: { bars: c.bars, qty: c.qty },
            instruments: c.instruments,
            enabled: c.enabled,
            ...(c.exits === undefined ? {} : { exits: c.exits }),
          }),
        )
      }
      const price = INSTRUMENTS.map(() => 1000_00)
      let ts = T0
      for (const s of steps) {
        ts += s.dt
        switch (s.kind) {
          case 'bar':
          case 'tick': {
            const instrumentKey = INSTRUMENTS[s.instrument]!
            const open = price[s.instrument]!
            const close = Math.max(5, open + s.move)
            price[s.instrument] = close
            out.push(
              s.kind === 'bar' ? barClosed(instrumentKey, { open, close }, ts) : tickReceived(instrumentKey, close, ts),
            )
            break
          }
          case 'engage':
          case 'release': {
            const target =
              s.scope === 'global'
                ? undefined
                : s.scope === 'strategy'
                  ? STRATEGY_IDS[s.strategy]
                  : INSTRUMENTS[s.instrument]
            out.push(
              s.kind === 'engage'
                ? killSwitchEngaged(s.scope, target, {}, ts)
                : killSwitchReleased(s.scope, target, {}, ts),
            )
            break
          }
          case 'configure':
            out.push(
              strategyConfigured(
                {
                  strategyId: STRATEGY_IDS[s.strategy]!,
                  params: { bars: s.bars, qty: 5 },
                  instruments: [...INSTRUMENTS],
                },
                ts,
              ),
            )
            break
        }
      }
      return out
    })
