import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { loadCalendar } from '../../src/adapters/calendar/index.js'
import { DEFAULT_SYNTHETIC_INSTRUMENTS, syntheticBars } from '../../src/adapters/synthetic/index.js'
import type { Envelope, EventDraft } from '../../src/domain/events/index.js'
import { openFileJournal, openJournalReader } from '../../src/journal/index.js'
import { backtestHeader } from '../../src/processes/backtest/index.js'
import { runBatch } from '../../src/processes/drivers/index.js'
import { builtinEngineConfig, createBuiltinEngine } from '../../src/processes/engine/index.js'
import { DEFAULT_SIMULATOR_CONFIG, fromEngineSnapshot, toEngineSnapshot } from '../../src/projections/index.js'

// Splitting a backtest at any day and resuming from the snapshot (as a restarted runner does) gives the same
// journal as running it in one go.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-resume-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const calendar = loadCalendar()
if (E.isLeft(calendar)) throw new Error('calendar')
const instruments = DEFAULT_SYNTHETIC_INSTRUMENTS.slice(0, 2)
const days = [...syntheticBars({ calendar: calendar.right, instruments, from: '2025-01-01', days: 4, seed: 9 })]
const header = backtestHeader({
  runId: 'resume',
  journalDir: '',
  startedMs: days[0]![0]!.ts - 3_600_000,
  seed: 9,
  capitalPaise: 100_000_000,
  strategy: { kind: 'ema-cross', params: { fast: 5, slow: 13, qty: 10 }, exits: { stopLossPct: 1 } },
  instruments: instruments.map((i) => i.instrumentKey),
  simulator: { ...DEFAULT_SIMULATOR_CONFIG, fillModel: 'touch', charges: 'upstox', slippageTicks: 1 },
  limits: { maxQty: 50, maxDailyLossPaise: 500_000 },
  data: 'test',
  codeVersion: 'test',
})
const ended: EventDraft[] = [
  { type: 'RunEnded', ts: days.at(-1)!.at(-1)!.ts, payload: { runId: 'resume', reason: 'end' } },
]

const readAll = async (dir: string): Promise<Envelope[]> => {
  const r = openJournalReader(dir)
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  const out: Envelope[] = []
  for await (const b of r.right.read()) if (E.isRight(b)) out.push(...b.right)
  await r.right.close()
  return out
}

const open = (dir: string) => {
  const j = openFileJournal(dir)
  if (E.isLeft(j)) throw new Error(JSON.stringify(j.left))
  return j.right
}

let run = 0
const whole = async (): Promise<Envelope[]> => {
  const dir = path.join(root, `whole-${run++}`)
  const journal = open(dir)
  const engine = createBuiltinEngine()
  const state = engine.initialState()
  expect(E.isRight(await runBatch({ journal, engine, state, inputs: [header, ...days, ended] }))).toBe(true)
  await journal.close()
  return readAll(dir)
}

describe('a backtest split at a day and resumed from its snapshot', () => {
  it('writes the same journal as the backtest run in one go, for any split day', async () => {
    const expected = await whole()
    expect(expected.filter((e) => e.type === 'OrderFilled').length).toBeGreaterThan(0)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: days.length - 1 }), async (k) => {
        const dir = path.join(root, `split-${run++}`)
        const first = open(dir)
        const engine = createBuiltinEngine()
        const state = engine.initialState()
        expect(
          E.isRight(await runBatch({ journal: first, engine, state, inputs: [header, ...days.slice(0, k)] })),
        ).toBe(true)
        await first.close()
        // The restart: a snapshot through JSON, a new engine, the journal reopened.
        const restored = fromEngineSnapshot(builtinEngineConfig, JSON.parse(JSON.stringify(toEngineSnapshot(state))))
        if (E.isLeft(restored)) throw new Error(restored.left)
        const second = open(dir)
        const rest = await runBatch({
          journal: second,
          engine: createBuiltinEngine(),
          state: restored.right,
          inputs: [...days.slice(k), ended],
        })
        expect(E.isRight(rest)).toBe(true)
        await second.close()
        expect(await readAll(dir)).toStrictEqual(expected)
      }),
      { numRuns: 3 },
    )
  }, 120_000)
})
