import * as t from 'io-ts'
import { InstrumentKey, StrategyId } from '../ids/index.js'
import { Paise } from '../money/index.js'
import { Product } from './orderEvents.js'

export const RunMode = t.keyof({ backtest: null, paper: null, live: null, replay: null })
export type RunMode = t.TypeOf<typeof RunMode>

/** `simulated`: broker events are decisions of the in-loop simulator; `upstox`: they are inputs from the venue. */
export const BrokerKind = t.keyof({ simulated: null, upstox: null })
export type BrokerKind = t.TypeOf<typeof BrokerKind>

/**
 * The manifest every run begins with: enough to know what produced the journal and to reproduce it.
 * Hashes are hex SHA-256 of the canonical JSON of the config and of the input data description.
 */
export const RunStarted = t.type({
  type: t.literal('RunStarted'),
  payload: t.intersection([
    t.type({
      runId: t.string,
      mode: RunMode,
      broker: BrokerKind,
      codeVersion: t.string,
      configHash: t.string,
      dataHash: t.string,
      seed: t.number,
      capitalPaise: Paise,
    }),
    t.partial({
      /**
       * The trading symbol of each instrument key of the run, as the run was told them (`--instruments TCS`): what
       * its reports show. Events name instruments by key only; a symbol is a name at a date, a key does not change.
       */
      instrumentSymbols: t.record(t.string, t.string),
    }),
  ]),
})
export type RunStarted = t.TypeOf<typeof RunStarted>

/**
 * A manifest's `instrumentSymbols`: the symbol of each instrument named by one other than its key, or undefined when
 * none is (a run asked for by keys the symbol tables do not know).
 */
export const instrumentSymbolsOf = (
  named: readonly { readonly symbol: string; readonly instrumentKey: string }[],
): Record<string, string> | undefined => {
  const out: Record<string, string> = {}
  for (const n of named) if (n.symbol !== n.instrumentKey) out[n.instrumentKey] = n.symbol
  return Object.keys(out).length === 0 ? undefined : out
}

export const RunEnded = t.type({
  type: t.literal('RunEnded'),
  payload: t.type({ runId: t.string, reason: t.string }),
})
export type RunEnded = t.TypeOf<typeof RunEnded>

export const StrategyParams = t.record(t.string, t.unknown)
export type StrategyParams = t.TypeOf<typeof StrategyParams>

/** A strategy instance switched on (or off) with its parameters and instruments. */
const Percent = t.refinement(t.number, (n) => n > 0 && n < 100, 'Percent(0,100)')
const HHMM = t.refinement(t.string, (s) => /^([01]\d|2[0-3]):[0-5]\d$/.test(s), 'HH:MM')

/**
 * The built-in exits of a strategy instance (docs/exits.md). Percentages are of the average entry price (stop loss,
 * take profit) or of the best price since entry (trailing stop). `squareOff` is the IST time intraday positions are
 * closed and new exposure refused, default 15:15; `off` disables it. `exitOnOpposingSignal` (default true) lets a
 * signal against the position close it; when false such signals are ignored while a position is open. `resting`
 * (default false) puts the stop loss and take profit at the venue as orders (SL-M and LIMIT, one cancelling the
 * other) when a position opens, instead of checking them on each close: they then fill where the price reaches them.
 */
export const ExitConfig = t.partial({
  stopLossPct: Percent,
  takeProfitPct: Percent,
  trailingStopPct: Percent,
  squareOff: t.union([HHMM, t.literal('off')]),
  exitOnOpposingSignal: t.boolean,
  resting: t.boolean,
})
export type ExitConfig = t.TypeOf<typeof ExitConfig>

export const StrategyConfigured = t.type({
  type: t.literal('StrategyConfigured'),
  payload: t.intersection([
    t.type({
      strategyId: StrategyId,
      /** The registered strategy kind, e.g. `sma-cross`. */
      kind: t.string,
      params: StrategyParams,
      instruments: t.array(InstrumentKey),
      enabled: t.boolean,
    }),
    t.partial({
      exits: ExitConfig,
      /** The product of the instance's orders: `I` intraday (the default) or `D` delivery, which its charges follow. */
      product: Product,
      /** Why it was re-configured, when an operator did it (switched it off or on). */
      reason: t.string,
    }),
  ]),
})
export type StrategyConfigured = t.TypeOf<typeof StrategyConfigured>

const NonNegInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'NonNegativeInt')
const PositiveInt = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n > 0, 'PositiveInt')
const Fraction = t.refinement(t.number, (n) => n > 0 && n <= 1, 'Fraction(0,1]')

/**
 * How the in-loop simulated broker fills orders (see src/projections/engine/simulator.ts and docs/simulated-broker.md).
 * `next-open`: orders execute only at the open of the next bar (or at the next tick's price); `touch`: limit and stop
 * orders also fill inside a bar when its path (O-L-H-C for a rising bar, O-H-L-C for a falling one) touches them.
 */
export const SimulatorConfig = t.intersection([
  t.type({
    fillModel: t.keyof({ 'next-open': null, touch: null }),
    /** Market and stop-market fills move this many ticks against the order. */
    slippageTicks: NonNegInt,
    tickPaise: PositiveInt,
    /** Chance that a limit order touched (not gapped through) fills on that bar; drawn from the run's seed. */
    limitFillProbability: Fraction,
    /** An accepted order can fill only on prices at least this long after its acceptance. */
    latencyMs: NonNegInt,
    charges: t.keyof({ zero: null, upstox: null }),
  }),
  t.partial({
    /** At most this share of a bar's (or tick's) volume fills per order; the rest stays working. */
    participation: Fraction,
  }),
])
export type SimulatorConfig = t.TypeOf<typeof SimulatorConfig>

export const SimulatorConfigured = t.type({
  type: t.literal('SimulatorConfigured'),
  payload: t.type({ config: SimulatorConfig }),
})
export type SimulatorConfigured = t.TypeOf<typeof SimulatorConfigured>
