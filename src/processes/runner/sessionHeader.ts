import { createHash } from 'node:crypto'
import type { EventDraft, ExitConfig, SimulatorConfig, StrategyParams } from '../../domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { RiskLimits } from '../../domain/risk/index.js'

// The events a live or paper session's journal begins with: the manifest, the simulator (paper only: it is the
// broker), the risk limits and the strategy. Like a backtest's, so a replay of the journal rebuilds the same engine.

export interface SessionSpec {
  readonly runId: string
  readonly mode: 'paper' | 'live'
  readonly startedMs: number
  readonly capitalPaise: number
  readonly codeVersion: string
  readonly strategy: {
    readonly kind: string
    readonly params: StrategyParams
    readonly exits: ExitConfig
    /** `D` (delivery) is recorded; intraday, the default, is left out. */
    readonly product?: 'D'
  }
  readonly instruments: readonly InstrumentKey[]
  /** The instruments' trading symbols, by key, for the manifest (`RunStarted.instrumentSymbols`): what reports show. */
  readonly instrumentSymbols?: Readonly<Record<string, string>>
  readonly limits: RiskLimits
  /** Paper trading's fill model; unused live. */
  readonly simulator: SimulatorConfig
  /** Where the market data comes from (the feed's base URL, say): hashed into the manifest. */
  readonly data: unknown
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export const sessionHeader = (s: SessionSpec): EventDraft[] => {
  const live = s.mode === 'live'
  return [
    {
      type: 'RunStarted',
      ts: s.startedMs,
      payload: {
        runId: s.runId,
        mode: s.mode,
        broker: live ? 'upstox' : 'simulated',
        codeVersion: s.codeVersion,
        configHash: sha256(
          JSON.stringify({
            strategy: s.strategy,
            limits: s.limits,
            instruments: s.instruments,
            ...(live ? {} : { simulator: s.simulator }),
          }),
        ),
        dataHash: sha256(JSON.stringify(s.data)),
        seed: 0,
        capitalPaise: unsafeMoney.paise(s.capitalPaise),
        ...(s.instrumentSymbols === undefined ? {} : { instrumentSymbols: { ...s.instrumentSymbols } }),
      },
    },
    ...(live ? [] : [{ type: 'SimulatorConfigured', ts: s.startedMs, payload: { config: s.simulator } } as EventDraft]),
    { type: 'RiskLimitsConfigured', ts: s.startedMs, payload: { limits: s.limits } },
    {
      type: 'StrategyConfigured',
      ts: s.startedMs,
      payload: {
        strategyId: unsafe.strategyId(`${s.strategy.kind}.1`),
        kind: s.strategy.kind,
        params: s.strategy.params,
        instruments: [...s.instruments],
        enabled: true,
        exits: s.strategy.exits,
        ...(s.strategy.product === undefined ? {} : { product: s.strategy.product }),
      },
    },
  ]
}
