import * as E from 'fp-ts/lib/Either.js'
import type { SnapshotStore } from '../../adapters/snapshots/index.js'
import type { JournalReader } from '../../journal/index.js'
import { describeJournalError } from '../../journal/index.js'
import { type Engine, type EngineConfig, type EngineState, fromEngineSnapshot } from '../../projections/index.js'

// Rebuilding state from a journal: start from the newest usable snapshot at or before `to` (if a store is given),
// then step every later event, dropping the decisions (they are already recorded) but keeping strategies warm.

export interface RebuildOptions {
  readonly to?: number
  readonly snapshots?: SnapshotStore
  readonly codeVersion: string
}

export interface Rebuilt {
  readonly state: EngineState
  readonly fromSnapshotSeq: number | undefined
  readonly folded: number
  readonly lastSeq: number
}

export const rebuildState = async (
  reader: JournalReader,
  engine: Engine,
  config: EngineConfig,
  o: RebuildOptions,
): Promise<E.Either<string, Rebuilt>> => {
  const to = o.to ?? reader.lastSeq()
  let state = engine.initialState()
  let fromSnapshotSeq: number | undefined
  if (o.snapshots !== undefined) {
    const snap = o.snapshots.latest(to, o.codeVersion)
    if (E.isLeft(snap)) return snap
    if (snap.right !== undefined) {
      const restored = fromEngineSnapshot(config, snap.right.engine)
      if (E.isLeft(restored)) return E.left(`snapshot at seq ${snap.right.seq}: ${restored.left}`)
      state = restored.right
      fromSnapshotSeq = snap.right.seq
    }
  }
  const from = (fromSnapshotSeq ?? 0) + 1
  const scanned = await reader.scan({ from, to }, (e) => {
    engine.step(state, e)
  })
  if (E.isLeft(scanned)) return E.left(describeJournalError(scanned.left))
  return E.right({
    state,
    fromSnapshotSeq,
    folded: scanned.right.count,
    lastSeq: Math.max(scanned.right.lastSeq, fromSnapshotSeq ?? 0),
  })
}
