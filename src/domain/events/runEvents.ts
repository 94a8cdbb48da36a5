import * as t from 'io-ts'
import { InstrumentKey, StrategyId } from '../ids/index.js'
import { Paise } from '../money/index.js'

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
  payload: t.type({
    runId: t.string,
    mode: RunMode,
    broker: BrokerKind,
    codeVersion: t.string,
    configHash: t.string,
    dataHash: t.string,
    seed: t.number,
    capitalPaise: Paise,
  }),
})
export type RunStarted = t.TypeOf<typeof RunStarted>

export const RunEnded = t.type({
  type: t.literal('RunEnded'),
  payload: t.type({ runId: t.string, reason: t.string }),
})
export type RunEnded = t.TypeOf<typeof RunEnded>

export const StrategyParams = t.record(t.string, t.unknown)
export type StrategyParams = t.TypeOf<typeof StrategyParams>

/** A strategy instance switched on (or off) with its parameters and instruments. */
export const StrategyConfigured = t.type({
  type: t.literal('StrategyConfigured'),
  payload: t.type({
    strategyId: StrategyId,
    /** The registered strategy kind, e.g. `sma-cross`. */
    kind: t.string,
    params: StrategyParams,
    instruments: t.array(InstrumentKey),
    enabled: t.boolean,
  }),
})
export type StrategyConfigured = t.TypeOf<typeof StrategyConfigured>
