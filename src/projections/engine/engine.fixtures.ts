import type {
  BrokerKind,
  Envelope,
  EventDraft,
  ExitConfig,
  RiskScope,
  SignalIntent,
  StrategyParams,
} from '../../domain/events/index.js'
import { type InstrumentKey, type StrategyId, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import { createStrategyRegistry, streakStrategy } from '../../domain/strategies/index.js'
import { type Draft, RELIANCE, STREAK_A, T0 } from '../orders/orderBook.fixtures.js'
import { createEngine, type Engine, type EngineState } from './engine.js'

// Builders of market, run, signal and risk drafts for the engine's tests, the engine with the example `streak`
// strategy, and a small cascade driver (input -> decisions, FIFO, each fed back) like the drivers' `runCascade`.

export const RUN_ID = 'run-1'
export const MINUTE = 60_000

export const streakEngine = (): Engine => createEngine({ strategies: createStrategyRegistry([streakStrategy]) })

export const runStarted = (
  o: { readonly broker?: BrokerKind; readonly runId?: string; readonly capitalPaise?: number } = {},
  ts = T0,
): Draft<'RunStarted'> => ({
  type: 'RunStarted',
  ts,
  payload: {
    runId: o.runId ?? RUN_ID,
    mode: 'backtest',
    broker: o.broker ?? 'simulated',
    codeVersion: 'test',
    configHash: 'c',
    dataHash: 'd',
    seed: 1,
    capitalPaise: unsafeMoney.paise(o.capitalPaise ?? 100_000_000),
  },
})

export const strategyConfigured = (
  o: {
    readonly strategyId?: StrategyId
    readonly kind?: string
    readonly params?: StrategyParams
    readonly instruments?: readonly InstrumentKey[]
    readonly enabled?: boolean
    readonly exits?: ExitConfig
  } = {},
  ts = T0,
): Draft<'StrategyConfigured'> => ({
  type: 'StrategyConfigured',
  ts,
  payload: {
    strategyId: o.strategyId ?? STREAK_A,
    kind: o.kind ?? 'streak',
    params: o.params ?? { bars: 2, qty: 10 },
    instruments: [...(o.instruments ?? [RELIANCE])],
    enabled: o.enabled ?? true,
    ...(o.exits === undefined ? {} : { exits: o.exits }),
  },
})

/** A 1-minute bar that opened at `ts - 1 min` and is journalled at `ts`, its close. */
export const barClosed = (
  instrumentKey: InstrumentKey,
  px: { readonly open: number; readonly close: number },
  ts = T0 + MINUTE,
): Draft<'BarClosed'> => ({
  type: 'BarClosed',
  ts,
  payload: {
    instrumentKey,
    timeframe: '1m',
    openMs: ts - MINUTE,
    openPaise: unsafeMoney.price(px.open),
    highPaise: unsafeMoney.price(Math.max(px.open, px.close)),
    lowPaise: unsafeMoney.price(Math.min(px.open, px.close)),
    closePaise: unsafeMoney.price(px.close),
    volume: 1000,
  },
})

/** Bars of one instrument closing at the given prices (each opening at the previous close), a minute apart. */
export const barsClosingAt = (instrumentKey: InstrumentKey, closes: readonly number[], firstTs = T0 + MINUTE) =>
  closes.map((close, i) => barClosed(instrumentKey, { open: closes[i - 1] ?? close, close }, firstTs + i * MINUTE))

export const tickReceived = (instrumentKey: InstrumentKey, ltpPaise: number, ts = T0): Draft<'TickReceived'> => ({
  type: 'TickReceived',
  ts,
  payload: { instrumentKey, ltpPaise: unsafeMoney.price(ltpPaise), lttMs: ts, ltq: 1 },
})

export const signalEmitted = (
  o: {
    readonly intent: SignalIntent
    readonly qty?: number
    readonly strategyId?: StrategyId
    readonly instrumentKey?: InstrumentKey
    readonly reason?: string
  },
  ts = T0,
): Draft<'SignalEmitted'> => ({
  type: 'SignalEmitted',
  ts,
  payload: {
    strategyId: o.strategyId ?? STREAK_A,
    instrumentKey: o.instrumentKey ?? RELIANCE,
    intent: o.intent,
    confidence: 1 as Draft<'SignalEmitted'>['payload']['confidence'],
    reason: o.reason ?? 'test signal',
    ...(o.qty === undefined ? {} : { qty: unsafeMoney.qty(o.qty) }),
  },
})

export const killSwitchEngaged = (
  scope: RiskScope,
  target?: string,
  o: { readonly source?: 'operator' | 'rule'; readonly reason?: string; readonly rule?: string } = {},
  ts = T0,
): Draft<'KillSwitchEngaged'> => ({
  type: 'KillSwitchEngaged',
  ts,
  payload: {
    scope,
    source: o.source ?? 'operator',
    reason: o.reason ?? 'operator halt',
    ...(o.rule === undefined ? {} : { rule: o.rule }),
    ...(target === undefined ? {} : { target }),
  },
})

export const killSwitchReleased = (
  scope: RiskScope,
  target?: string,
  o: { readonly source?: 'operator' | 'rule'; readonly reason?: string } = {},
  ts = T0,
): Draft<'KillSwitchReleased'> => ({
  type: 'KillSwitchReleased',
  ts,
  payload: {
    scope,
    source: o.source ?? 'operator',
    reason: o.reason ?? 'operator resume',
    ...(target === undefined ? {} : { target }),
  },
})

/**
 * Runs each input and everything it causes: the input is numbered and stepped, then each decision in turn (FIFO),
 * until nothing more follows. Returns the journal that a driver would have written.
 */
export const cascadeJournal = (
  engine: Engine,
  inputs: readonly EventDraft[],
  state: EngineState = engine.initialState(),
): Envelope[] => {
  const out: Envelope[] = []
  for (const input of inputs) {
    const start = out.length
    out.push({ ...input, seq: unsafe.seq(out.length + 1) } as Envelope)
    for (let i = start; i < out.length; i++) {
      for (const d of engine.step(state, out[i]!).decisions) {
        out.push({ ...d, seq: unsafe.seq(out.length + 1) } as Envelope)
      }
      if (out.length - start > 10_000) throw new Error('decision cascade does not end: a decider loops')
    }
  }
  return out
}
