import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import type { Logger } from 'pino'
import { createSnapshotStore } from '../../adapters/snapshots/index.js'
import {
  type BarClosed,
  type BarColumns,
  type EventDraft,
  type ExitConfig,
  isBarColumns,
  type Product,
  type SimulatorConfig,
  type StrategyParams,
  type TickReceived,
} from '../../domain/events/index.js'
import { type InstrumentKey, unsafe } from '../../domain/ids/index.js'
import { unsafeMoney } from '../../domain/money/index.js'
import type { RiskLimits } from '../../domain/risk/index.js'
import { describeJournalError, openFileJournal } from '../../journal/index.js'
import { type Engine, type EngineState, toEngineSnapshot } from '../../projections/index.js'
import { describeDriverError, runBatch, type StepObserver } from '../drivers/index.js'

// One backtest: the manifest and configuration events, then the bars of the source through the engine with the
// simulated broker, into a new journal, ending with RunEnded and a snapshot. Everything the run needs to be replayed
// is in the journal; the hashes in the manifest identify the configuration and the data it ran on.

export interface BacktestSpec {
  readonly runId: string
  readonly journalDir: string
  readonly startedMs: number
  readonly seed: number
  readonly capitalPaise: number
  readonly strategy: {
    readonly kind: string
    readonly params: StrategyParams
    readonly exits: ExitConfig
    /** `D` (delivery) is recorded; intraday, the default, is left out. */
    readonly product?: Product
  }
  readonly instruments: readonly InstrumentKey[]
  /** The instruments' trading symbols, by key, for the manifest (`RunStarted.instrumentSymbols`): what reports show. */
  readonly instrumentSymbols?: Readonly<Record<string, string>>
  readonly simulator: SimulatorConfig
  readonly limits: RiskLimits
  /** What the data is (source, range, seed...): hashed into the manifest. */
  readonly data: unknown
  readonly codeVersion: string
}

export interface BacktestRun {
  readonly bars: number
  /** Ticks stepped (a backtest on stored ticks); 0 for a run on bars. */
  readonly ticks: number
  readonly events: number
  readonly seconds: number
  readonly state: EngineState
}

/** One chunk of market events in time order: a store's bar columns, or drafts (bars, or ticks with their bars). */
export type MarketChunk = readonly EventDraft<BarClosed | TickReceived>[] | BarColumns

/**
 * Market events in time order, in chunks: the store's columns, or drafts (the synthetic market, resampled days,
 * stored ticks with the bars built from them).
 */
export type MarketChunks = AsyncIterable<MarketChunk> | Iterable<MarketChunk>

const lastTsOf = (chunk: MarketChunk): number | undefined =>
  isBarColumns(chunk) ? chunk.tsMs[chunk.length - 1] : chunk.at(-1)?.ts

const ticksIn = (chunk: MarketChunk): number => {
  if (isBarColumns(chunk)) return 0
  let n = 0
  for (const d of chunk) if (d.type === 'TickReceived') n++
  return n
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

export const backtestHeader = (b: BacktestSpec): EventDraft[] => [
  {
    type: 'RunStarted',
    ts: b.startedMs,
    payload: {
      runId: b.runId,
      mode: 'backtest',
      broker: 'simulated',
      codeVersion: b.codeVersion,
      configHash: sha256(
        JSON.stringify({ strategy: b.strategy, simulator: b.simulator, limits: b.limits, instruments: b.instruments }),
      ),
      dataHash: sha256(JSON.stringify(b.data)),
      seed: b.seed,
      capitalPaise: unsafeMoney.paise(b.capitalPaise),
      ...(b.instrumentSymbols === undefined ? {} : { instrumentSymbols: { ...b.instrumentSymbols } }),
    },
  },
  { type: 'SimulatorConfigured', ts: b.startedMs, payload: { config: b.simulator } },
  { type: 'RiskLimitsConfigured', ts: b.startedMs, payload: { limits: b.limits } },
  {
    type: 'StrategyConfigured',
    ts: b.startedMs,
    payload: {
      strategyId: unsafe.strategyId(`${b.strategy.kind}.1`),
      kind: b.strategy.kind,
      params: b.strategy.params,
      instruments: [...b.instruments],
      enabled: true,
      exits: b.strategy.exits,
      ...(b.strategy.product === undefined ? {} : { product: b.strategy.product }),
    },
  },
]

/**
 * The source's chunks, each asked for before the one in hand is stepped: a store's next chunk is fetched on DuckDB's
 * threads while the engine works on this one, instead of the two taking turns on the main thread.
 */
async function* prefetched<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  if (!(Symbol.asyncIterator in source)) {
    yield* source
    return
  }
  const it = source[Symbol.asyncIterator]()
  let done = false
  try {
    let next = it.next()
    for (;;) {
      const r = await next
      if (r.done === true) {
        done = true
        return
      }
      next = it.next()
      yield r.value
    }
  } finally {
    // Stopped early (an error downstream): let the source close its query.
    if (!done) await it.return?.()
  }
}

export const runBacktest = async (
  b: BacktestSpec,
  engine: Engine,
  source: MarketChunks,
  log: Logger,
  /** Market events stepped so far (bars, and ticks in a run on ticks), and the time of the last. */
  onProgress?: (events: number, lastTs: number) => void,
  /** Sees every event right after it is stepped, with the state it left (the report's fold, say). */
  observe?: StepObserver,
): Promise<E.Either<string, BacktestRun>> => {
  // Durable at the end of the run, not at every batch: a backtest that dies is run again, not resumed.
  const opened = openFileJournal(b.journalDir, { log: log.child({ component: 'journal' }), durability: 'sync' })
  if (E.isLeft(opened)) return E.left(describeJournalError(opened.left))
  const journal = opened.right
  const state = engine.initialState()
  let bars = 0
  let ticks = 0
  let lastTs = b.startedMs
  const t0 = performance.now()
  const inputs = (async function* () {
    yield backtestHeader(b)
    for await (const chunk of prefetched(source)) {
      const t = ticksIn(chunk)
      ticks += t
      bars += chunk.length - t
      lastTs = lastTsOf(chunk) ?? lastTs
      onProgress?.(bars + ticks, lastTs)
      yield chunk
    }
    yield [{ type: 'RunEnded', ts: lastTs, payload: { runId: b.runId, reason: 'end of data' } } as const]
  })()
  const ran = await runBatch({
    journal,
    engine,
    state,
    inputs,
    sync: false,
    ...(observe === undefined ? {} : { observe }),
  })
  if (E.isLeft(ran)) {
    await journal.close()
    return E.left(describeDriverError(ran.left))
  }
  const events = journal.lastSeq()
  // The journal's fsync runs on libuv's threads while this thread builds and writes the snapshot. A crash in between
  // can leave a snapshot past the journal's durable end: replay takes no snapshot past the journal's last seq, and a
  // backtest that dies is run again, not resumed.
  const synced = journal.sync()
  const saved = await createSnapshotStore(b.journalDir).save(events, b.codeVersion, toEngineSnapshot(state))
  const durable = await synced
  const seconds = (performance.now() - t0) / 1000
  await journal.close()
  if (E.isLeft(durable)) return E.left(describeJournalError(durable.left))
  if (E.isLeft(saved)) log.warn({ reason: saved.left }, 'snapshot not written')
  return E.right({ bars, ticks, events, seconds, state })
}
