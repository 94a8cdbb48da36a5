import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { createSnapshotStore } from '../../../adapters/snapshots/index.js'
import type { Envelope } from '../../../domain/events/index.js'
import { formatPaise } from '../../../domain/money/index.js'
import { IST_OFFSET_MS } from '../../../domain/time/index.js'
import { describeJournalError, type JournalReader, openJournalReader } from '../../../journal/index.js'
import {
  averagePricePaise,
  type EngineState,
  equityPaise,
  toEngineSnapshot,
  unrealizedPaise,
} from '../../../projections/index.js'
import { builtinEngineConfig, createBuiltinEngine } from '../../engine/index.js'
import {
  causationChain,
  describeEvent,
  type InstrumentNames,
  manifestSymbols,
  readOne,
  rebuildState,
  verifyJournal,
} from '../../replay/index.js'
import { type CliIo, type ExitCode, printResult } from '../cliOutput.js'
import { codeVersion } from '../codeVersion.js'

// `bahi replay <journal> [--verify] [--until seq|time] [--snapshot] [--no-snapshots] [--json]`
// Rebuilds state from a journal (from the newest snapshot, unless --no-snapshots or --verify), and with --verify
// re-derives every decision from the recorded inputs, reporting "N events, 0 divergences" or the first divergence.

export interface ReplayOptions {
  readonly journal: string
  readonly verify: boolean
  readonly until: string | undefined
  readonly json: boolean
  readonly useSnapshots: boolean
  readonly writeSnapshot: boolean
}

/** `--until`: a seq, an ISO time with offset, or an IST wall-clock time `YYYY-MM-DD HH:MM[:SS]`. */
export const parseUntil = (s: string): { seq: number } | { ts: number } | undefined => {
  if (/^\d+$/.test(s)) return { seq: Number(s) }
  const ist = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(s)
  if (ist) {
    const ms = Date.parse(`${ist[1]}T${ist[2]}Z`)
    return Number.isNaN(ms) ? undefined : { ts: ms - IST_OFFSET_MS }
  }
  const ms = Date.parse(s)
  return Number.isNaN(ms) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? undefined : { ts: ms }
}

/** The last seq whose event is at or before `ts` (seq order is the replay order; ts only picks the cut). */
const seqAtTime = async (reader: JournalReader, ts: number): Promise<E.Either<string, number>> => {
  let to = 0
  const r = await reader.scan({}, (e) => {
    if (e.ts > ts) return false
    to = e.seq
    return true
  })
  return E.isLeft(r) ? E.left(describeJournalError(r.left)) : E.right(to)
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

export const stateSummary = (s: EngineState) => {
  const t = s.trading
  const byStatus: Record<string, number> = {}
  for (const o of t.orders.orders.values()) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1
  // Sorted: the map's insertion order differs between a state restored from a snapshot and one folded from seq 1.
  const positions = [...t.portfolio.positions.values()]
    .filter((p) => p.qty !== 0 || p.realizedPaise !== 0)
    .sort((a, b) => byText(a.strategyId, b.strategyId) || byText(a.instrumentKey, b.instrumentKey))
    .map((p) => {
      const mark = t.portfolio.marks.get(p.instrumentKey)?.markPaise ?? 0
      return {
        strategyId: p.strategyId,
        instrumentKey: p.instrumentKey,
        qty: p.qty,
        averagePrice: Math.round(averagePricePaise(p)) / 100,
        realizedPnl: p.realizedPaise / 100,
        unrealizedPnl: unrealizedPaise(p, mark) / 100,
        fees: p.feesPaise / 100,
      }
    })
  return {
    lastSeq: t.lastSeq,
    run: t.run ?? null,
    cash: t.portfolio.cashPaise / 100,
    equity: equityPaise(t.portfolio) / 100,
    realizedPnl: t.portfolio.realizedPaise / 100,
    fees: t.portfolio.feesPaise / 100,
    maxDrawdown: t.risk.maxDrawdownPaise / 100,
    orders: byStatus,
    positions,
    // By key, for the same reason as the positions.
    killSwitches: [...t.risk.killSwitches.entries()].sort(([a], [b]) => byText(a, b)).map(([, k]) => k),
    strategyErrors: Object.fromEntries(s.strategyErrors),
  }
}

const chainOrEmpty = async (reader: JournalReader, e: Envelope): Promise<Envelope[]> => {
  const c = await causationChain(reader, e)
  return E.isRight(c) ? c.right : [e]
}

const chainLines = (chain: readonly Envelope[], names: InstrumentNames): string[] =>
  chain.map((e, i) => `${i === 0 ? '   ' : '<- '}${describeEvent(e, names)}`)

export const replayCommand = async (o: ReplayOptions, io: CliIo): Promise<ExitCode> => {
  if (!existsSync(o.journal)) {
    io.err(`bahi replay: ${o.journal}: no such journal`)
    return 2
  }
  const opened = openJournalReader(o.journal)
  if (E.isLeft(opened)) {
    io.err(`bahi replay: ${describeJournalError(opened.left)}`)
    return 2
  }
  const reader = opened.right
  try {
    let to = reader.lastSeq()
    if (o.until !== undefined) {
      const u = parseUntil(o.until)
      if (u === undefined) {
        io.err(
          `bahi replay: --until "${o.until}" is neither a seq nor a time (ISO with offset, or "YYYY-MM-DD HH:MM" IST)`,
        )
        return 2
      }
      if ('seq' in u) to = Math.min(u.seq, to)
      else {
        const at = await seqAtTime(reader, u.ts)
        if (E.isLeft(at)) {
          io.err(`bahi replay: ${at.left}`)
          return 2
        }
        to = at.right
      }
    }
    const engine = createBuiltinEngine()
    const t0 = performance.now()
    if (o.verify) {
      const report = await verifyJournal(reader, engine, to)
      const seconds = (performance.now() - t0) / 1000
      if (E.isLeft(report)) {
        io.err(`bahi replay: ${report.left}`)
        return 2
      }
      const { events, divergence, state } = report.right
      if (divergence === undefined) {
        printResult(
          io,
          o.json,
          {
            journal: o.journal,
            events,
            divergences: 0,
            eventsPerSecond: Math.round(events / seconds),
            state: stateSummary(state),
          },
          [`${events} events, 0 divergences`],
        )
        return 0
      }
      const actualChain = divergence.actual === undefined ? [] : await chainOrEmpty(reader, divergence.actual)
      // The re-derived decision's causes, for when the journal holds something else (or nothing) in its place.
      const causeSeq = divergence.expected?.causationId
      const cause = causeSeq === undefined ? undefined : await readOne(reader, causeSeq)
      const expectedChain = cause === undefined || E.isLeft(cause) ? [] : await chainOrEmpty(reader, cause.right)
      const names = await manifestSymbols(reader)
      printResult(
        io,
        o.json,
        {
          journal: o.journal,
          events,
          divergences: 1,
          firstDivergence: {
            seq: divergence.seq,
            reason: divergence.reason,
            expected: divergence.expected ?? null,
            actual: divergence.actual ?? null,
            actualCausationChain: actualChain,
            expectedCausationChain: expectedChain,
          },
        },
        [
          `${events} events, first divergence at seq ${divergence.seq}: ${divergence.reason}`,
          `  expected: ${divergence.expected === undefined ? '(nothing)' : describeEvent(divergence.expected, names)}`,
          `  actual:   ${divergence.actual === undefined ? '(end of journal)' : describeEvent(divergence.actual, names)}`,
          ...(actualChain.length > 1
            ? ['  causation chain of the recorded event:', ...chainLines(actualChain, names).map((l) => `    ${l}`)]
            : []),
          ...(expectedChain.length > 0
            ? ['  caused (in the replay) by:', ...chainLines(expectedChain, names).map((l) => `    ${l}`)]
            : []),
        ],
      )
      return 1
    }
    const snapshots = createSnapshotStore(o.journal)
    const rebuilt = await rebuildState(reader, engine, builtinEngineConfig, {
      to,
      codeVersion: codeVersion(),
      ...(o.useSnapshots ? { snapshots } : {}),
    })
    const seconds = (performance.now() - t0) / 1000
    if (E.isLeft(rebuilt)) {
      io.err(`bahi replay: ${rebuilt.left}`)
      return 2
    }
    const { state, fromSnapshotSeq, folded } = rebuilt.right
    if (o.writeSnapshot) {
      const saved = await snapshots.save(state.trading.lastSeq, codeVersion(), toEngineSnapshot(state))
      if (E.isLeft(saved)) io.err(`bahi replay: ${saved.left}`)
    }
    const summary = stateSummary(state)
    const names = await manifestSymbols(reader)
    printResult(
      io,
      o.json,
      {
        journal: o.journal,
        folded,
        fromSnapshotSeq: fromSnapshotSeq ?? null,
        eventsPerSecond: Math.round(folded / seconds),
        ...summary,
      },
      [
        `replayed ${o.journal} to seq ${summary.lastSeq}${fromSnapshotSeq === undefined ? '' : ` (from the snapshot at seq ${fromSnapshotSeq})`}: ${folded} events folded`,
        ...(summary.run
          ? [
              `  run ${summary.run.runId} (${summary.run.mode}, ${summary.run.broker} broker, code ${summary.run.codeVersion})`,
            ]
          : []),
        `  cash ${formatPaise(state.trading.portfolio.cashPaise)} INR, equity ${formatPaise(equityPaise(state.trading.portfolio))} INR, realized ${formatPaise(state.trading.portfolio.realizedPaise)} INR, fees ${formatPaise(state.trading.portfolio.feesPaise)} INR`,
        `  orders: ${
          Object.entries(summary.orders)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || 'none'
        }`,
        ...summary.positions.map(
          (p) =>
            `  ${p.strategyId} ${names[p.instrumentKey] ?? p.instrumentKey}: qty ${p.qty} @ ${p.averagePrice.toFixed(2)}, realized ${p.realizedPnl.toFixed(2)}, unrealized ${p.unrealizedPnl.toFixed(2)}`,
        ),
        ...summary.killSwitches.map(
          (k) =>
            `  kill switch ${k.scope}${k.target ? ` ${k.scope === 'instrument' ? (names[k.target] ?? k.target) : k.target}` : ''} engaged by ${k.source}: ${k.reason}`,
        ),
      ],
    )
    return 0
  } finally {
    await reader.close()
  }
}
