import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { SimulatorConfig } from '../../domain/events/index.js'
import type { InstrumentKey, StrategyId } from '../../domain/ids/index.js'
import { fromTradingSnapshot, TradingSnapshot, toTradingSnapshot } from '../state/index.js'
import { anyRestingExits, type EngineConfig, type EngineState } from './engine.js'
import { exitStateOf } from './exits.js'

// The engine's state as canonical JSON: the trading snapshot plus each strategy's own state. Restoring needs the
// strategy registry (code), so it takes the engine config.

export const EngineSnapshot = t.type({
  version: t.literal(1),
  trading: TradingSnapshot,
  strategies: t.array(
    t.type({
      strategyId: t.string,
      kind: t.string,
      instruments: t.array(t.string),
      enabled: t.boolean,
      state: t.unknown,
    }),
  ),
  strategyErrors: t.array(t.tuple([t.string, t.string])),
  simulator: t.type({
    config: SimulatorConfig,
    rng: t.number,
    liveFromMs: t.array(t.tuple([t.string, t.number])),
    acceptedMs: t.array(t.tuple([t.string, t.number])),
    triggered: t.array(t.string),
  }),
  exits: t.array(
    t.tuple([
      t.string,
      t.intersection([
        t.type({ strategyId: t.string, instrumentKey: t.string, best: t.number }),
        t.partial({ retryFromMs: t.number, overfilled: t.literal(true) }),
      ]),
    ]),
  ),
})
export type EngineSnapshot = t.TypeOf<typeof EngineSnapshot>

const byKey = <T>(entries: [string, T][]): [string, T][] => entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

export const toEngineSnapshot = (s: EngineState): EngineSnapshot => ({
  version: 1,
  trading: toTradingSnapshot(s.trading),
  // In the map's own order, not by id: strategies are asked in that order on every bar, so their signals (and the
  // seqs and order ids that follow) come out in that order; restoring must reproduce it. It is a function of the
  // journal, so the bytes stay canonical.
  strategies: [...s.strategies.values()].map((i) => ({
    strategyId: i.strategyId,
    kind: i.definition.kind,
    instruments: [...i.instruments].sort(),
    enabled: i.enabled,
    // Round-trip through JSON: the snapshot must hold data, not references into the live state.
    state: JSON.parse(JSON.stringify(i.state)) as unknown,
  })),
  strategyErrors: byKey([...s.strategyErrors.entries()]),
  simulator: {
    config: s.simulator.config,
    rng: s.simulator.rng,
    liveFromMs: byKey([...s.simulator.liveFromMs.entries()]),
    acceptedMs: byKey([...s.simulator.acceptedMs.entries()]),
    triggered: [...s.simulator.triggered].sort(),
  },
  // In tracking order, not sorted: it is the order exits fire in when two strategies hold one instrument, so a run
  // resumed from this snapshot must see it too (the order is itself a function of the journal).
  exits: [...s.exits.tracked.entries()].map(([k, v]) => [
    k,
    {
      strategyId: v.strategyId,
      instrumentKey: v.instrumentKey,
      best: v.best,
      ...(v.retryFromMs === undefined ? {} : { retryFromMs: v.retryFromMs }),
      ...(v.overfilled === true ? { overfilled: true as const } : {}),
    },
  ]),
})

/** Canonical bytes of the engine state: the same journal always gives the same string. */
export const serializeEngineState = (s: EngineState): string => JSON.stringify(toEngineSnapshot(s))

export const fromEngineSnapshot = (config: EngineConfig, u: unknown): E.Either<string, EngineState> =>
  pipe(
    EngineSnapshot.decode(u),
    E.mapLeft(() => 'not an engine snapshot (version 1)'),
    E.flatMap((snap) =>
      pipe(
        fromTradingSnapshot(snap.trading),
        E.flatMap((trading) => {
          const state: EngineState = {
            trading,
            strategies: new Map(),
            strategyErrors: new Map(snap.strategyErrors),
            simulator: {
              config: snap.simulator.config,
              rng: snap.simulator.rng,
              liveFromMs: new Map(snap.simulator.liveFromMs),
              acceptedMs: new Map(snap.simulator.acceptedMs),
              triggered: new Set(snap.simulator.triggered),
            },
            exits: exitStateOf(
              snap.exits.map(([k, v]) => [
                k,
                {
                  strategyId: v.strategyId as StrategyId,
                  instrumentKey: v.instrumentKey as InstrumentKey,
                  best: v.best,
                  ...(v.retryFromMs === undefined ? {} : { retryFromMs: v.retryFromMs }),
                  ...(v.overfilled === true ? { overfilled: true as const } : {}),
                },
              ]),
            ),
            restingExits: anyRestingExits(trading),
          }
          for (const i of snap.strategies) {
            const definition = config.strategies.get(i.kind)
            if (definition === undefined)
              return E.left(`snapshot holds strategy kind "${i.kind}", which is not registered`)
            state.strategies.set(i.strategyId, {
              strategyId: i.strategyId as StrategyId,
              definition,
              instruments: new Set(i.instruments),
              enabled: i.enabled,
              state: definition.restore === undefined ? i.state : definition.restore(i.state),
            })
          }
          return E.right(state)
        }),
      ),
    ),
  )
