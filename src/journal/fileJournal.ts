import * as fs from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { type AppendItem, appendItemEvents, type Envelope } from '../domain/events/index.js'
import { readCheckpoints, writeCheckpoints } from './checkpoints.js'
import type {
  AppendAck,
  AppendOptions,
  EnvelopeStream,
  Journal,
  JournalReader,
  ReadOptions,
  ScanResult,
  TailOptions,
} from './journal.js'
import type { JournalError } from './journalErrors.js'
import { acquireLock, type JournalLock } from './journalLock.js'
import { EncodeBuffer, SegmentEncoder } from './recordCodec.js'
import { SegmentCursor, validBatchFollows } from './segmentCursor.js'
import { createSegment, fsyncDir, HEADER_BYTES, listSegments, segmentName } from './segmentFiles.js'

// The embedded journal: a directory of append-only segment files (see segmentFiles.ts and recordCodec.ts), one
// writer process (LOCK file), any number of reader processes. Appends are group-committed: everything appended
// while a write+fdatasync is in flight goes out together in the next one, and each caller is answered only once its
// batch is durable. A failed write halts the journal (every later append fails) rather than risk a gap.

/** What the journal reports while it opens; the composition root passes a pino child logger. */
export interface JournalLog {
  warn: (fields: Record<string, unknown>, msg: string) => void
  info: (fields: Record<string, unknown>, msg: string) => void
}

const silentLog: JournalLog = { warn: () => {}, info: () => {} }

export interface FileJournalOptions {
  readonly log?: JournalLog
  /** Roll to a new segment file past this size; default 256 MiB. */
  readonly segmentBytes?: number
  /**
   * `commit` (default): every group commit is fsync'd before its appends resolve. `sync`: appends resolve once
   * written to the file (other processes see them, a killed process loses nothing), and only `sync()` makes them
   * durable against a power loss. For a backtest, which is re-run rather than resumed after a crash, an fsync per
   * batch would only cost time.
   */
  readonly durability?: 'commit' | 'sync'
}

interface Pending {
  /** The batch's bytes in the group buffer. */
  readonly start: number
  readonly end: number
  readonly ack: AppendAck
  /** Starts a new segment file beginning at `ack.firstSeq` before this batch is written. */
  readonly roll: boolean
  readonly resolve: (r: E.Either<JournalError, AppendAck>) => void
}

const io = (op: string, p: string, e: unknown): JournalError => ({
  _tag: 'JournalIo',
  op,
  path: p,
  reason: (e as Error).message,
})

const checkDir = (dir: string): JournalError | undefined => {
  if (!fs.existsSync(dir)) return { _tag: 'NotAJournal', path: dir, reason: 'no such file or directory' }
  if (!fs.statSync(dir).isDirectory()) {
    return {
      _tag: 'NotAJournal',
      path: dir,
      reason: 'it is a file; a journal is a directory of seg-*.bahij segment files',
    }
  }
  return undefined
}

/** Scans the last segment, cutting off a torn final batch. Returns the cursor positioned after the last good batch. */
const recover = (dir: string, log: JournalLog): E.Either<JournalError, { cursor: SegmentCursor; lastSeq: number }> => {
  const segments = listSegments(dir)
  const last = segments.at(-1)
  if (last === undefined)
    return E.right({ cursor: new SegmentCursor(dir, { from: 1, to: Number.POSITIVE_INFINITY }), lastSeq: 0 })
  // A crash while creating a segment can leave it shorter than its header: remove it (it held no events).
  const size = fs.statSync(last.path).size
  if (size < HEADER_BYTES && segments.length > 1) {
    log.warn({ segment: last.path, bytes: size }, 'removing a segment file cut short while being created')
    fs.unlinkSync(last.path)
    return recover(dir, log)
  }
  const cursor = new SegmentCursor(dir, {
    from: Number.MAX_SAFE_INTEGER,
    to: Number.POSITIVE_INFINITY,
    checkSkipped: true,
  })
  for (;;) {
    const step = cursor.next()
    if (step._tag === 'events') continue
    const seg = cursor.segment!
    if (step._tag === 'end') {
      if (cursor.incompleteAt !== undefined) {
        const cut = fs.statSync(seg.path).size - cursor.incompleteAt
        log.warn(
          { segment: seg.path, offset: cursor.incompleteAt, cutBytes: cut, lastSeq: cursor.nextSeq - 1 },
          'torn final batch cut off',
        )
        fs.truncateSync(seg.path, cursor.incompleteAt)
      }
      break
    }
    const err = step.error
    if (err._tag === 'NotAJournal' || err._tag === 'JournalIo') return E.left(err)
    // Damage in the last batch of the last segment is a torn write; anywhere else it is corruption.
    const fileSize = fs.statSync(seg.path).size
    const rest = Buffer.alloc(fileSize - cursor.pos)
    const fd = fs.openSync(seg.path, 'r')
    fs.readSync(fd, rest, 0, rest.length, cursor.pos)
    fs.closeSync(fd)
    // (Compared by path: the cursor lists the segments itself, so its SegmentRef objects are not these.)
    if (seg.path !== segments.at(-1)!.path || validBatchFollows(rest, cursor.nextSeq + 1)) return E.left(err)
    log.warn(
      {
        segment: seg.path,
        offset: cursor.pos,
        cutBytes: rest.length,
        reason: describe(err),
        lastSeq: cursor.nextSeq - 1,
      },
      'torn final batch cut off',
    )
    fs.truncateSync(seg.path, cursor.pos)
    cursor.close()
    return recover(dir, log)
  }
  return E.right({ cursor, lastSeq: cursor.nextSeq - 1 })
}

const describe = (e: JournalError): string => ('reason' in e ? e.reason : e._tag)

/** Opens (creating if needed) a journal directory for writing. Only one process may hold it. */
export const openFileJournal = (dir: string, opts: FileJournalOptions = {}): E.Either<JournalError, Journal> => {
  const log = opts.log ?? silentLog
  const segmentBytes = opts.segmentBytes ?? 256 << 20
  // A path that exists must be a directory (mkdir would fail on a file with a bare EEXIST).
  const notDir = fs.existsSync(dir) ? checkDir(dir) : undefined
  if (notDir) return E.left(notDir)
  try {
    fs.mkdirSync(dir, { recursive: true })
  } catch (e) {
    return E.left(io('mkdir', dir, e))
  }
  const bad = checkDir(dir)
  if (bad) return E.left(bad)
  const foreign = fs
    .readdirSync(dir)
    .filter((n) => !/^(seg-\d{20}\.bahij(\.tmp)?|LOCK|checkpoints\.json(\.tmp)?|snapshots)$/.test(n))
  if (foreign.length > 0 && listSegments(dir).length === 0) {
    return E.left({
      _tag: 'NotAJournal',
      path: dir,
      reason: `directory holds other files (${foreign.slice(0, 3).join(', ')})`,
    })
  }
  const locked = acquireLock(dir)
  if (E.isLeft(locked)) return locked
  const lock: JournalLock = locked.right
  if (lock.staleFromPid !== undefined)
    log.warn({ dir, stalePid: lock.staleFromPid }, 'took over the lock of a writer that is gone')

  let recovered: { cursor: SegmentCursor; lastSeq: number }
  try {
    const r = recover(dir, log)
    if (E.isLeft(r)) {
      lock.release()
      return r
    }
    recovered = r.right
  } catch (e) {
    lock.release()
    return E.left(io('recover', dir, e))
  }

  // The writer's position: the last segment (created if the journal is new).
  let segPath: string
  let segSize: number
  let encoder: SegmentEncoder
  let fd: number
  try {
    const last = listSegments(dir).at(-1)
    if (last === undefined) {
      segPath = path.join(dir, segmentName(1))
      fd = createSegment(segPath, 1)
      fs.fsyncSync(fd)
      fsyncDir(dir)
      segSize = HEADER_BYTES
      encoder = new SegmentEncoder()
    } else {
      segPath = last.path
      fd = fs.openSync(segPath, 'r+')
      segSize = fs.fstatSync(fd).size
      encoder = new SegmentEncoder(recovered.cursor.decoder.dict, recovered.cursor.decoder.formatVersion)
    }
  } catch (e) {
    lock.release()
    return E.left(io('open', dir, e))
  } finally {
    recovered.cursor.close()
  }

  let checkpoints: Record<string, number>
  try {
    checkpoints = readCheckpoints(dir)
  } catch (e) {
    lock.release()
    fs.closeSync(fd)
    return E.left(io('read checkpoints', dir, e))
  }

  let durableSeq = recovered.lastSeq
  let nextSeq = durableSeq + 1
  /** Bytes the current segment will have once everything queued is written (decides rolls at append time). */
  let plannedSize = segSize
  let queue: Pending[] = []
  /** Every queued batch, encoded back to back: the next group commit writes it in one go. */
  let groupBuffer = new EncodeBuffer(1 << 20)
  let flushing = false
  const syncEachCommit = (opts.durability ?? 'commit') === 'commit'
  /** Written since the last fsync (durability `sync` only). */
  let unsynced = false
  let failure: JournalError | undefined
  let closed = false
  const waiters = new Set<() => void>()

  const flush = (): void => {
    if (flushing || queue.length === 0) return
    flushing = true
    setImmediate(() => {
      // Take the group here, not when scheduling: appends made in between are in the group buffer too, and it is
      // reset once this (synchronous) write is done.
      const group = queue
      queue = []
      let result: E.Either<JournalError, void> = E.right(undefined)
      // Appends queued before an earlier group failed must not be written after it: their seqs follow the lost ones.
      if (failure) {
        groupBuffer.pos = 0
        for (const p of group) p.resolve(E.left(failure))
        flushing = false
        return
      }
      try {
        let i = 0
        while (i < group.length) {
          if (group[i]!.roll) {
            fs.fdatasyncSync(fd)
            fs.closeSync(fd)
            segPath = path.join(dir, segmentName(group[i]!.ack.firstSeq))
            fd = createSegment(segPath, group[i]!.ack.firstSeq)
            segSize = HEADER_BYTES
            fsyncDir(dir)
          }
          // One write per run of batches bound for the same segment: they lie back to back in the group buffer.
          let j = i + 1
          while (j < group.length && !group[j]!.roll) j++
          const from = group[i]!.start
          const total = group[j - 1]!.end - from
          let written = 0
          while (written < total) {
            written += fs.writeSync(fd, groupBuffer.buf, from + written, total - written, segSize + written)
          }
          segSize += total
          i = j
        }
        if (syncEachCommit) fs.fdatasyncSync(fd)
        else unsynced = true
      } catch (e) {
        result = E.left(io('append', segPath, e))
      }
      // Nothing was appended while this ran (it is synchronous), so the whole buffer is spoken for: start over.
      groupBuffer.pos = 0
      if (groupBuffer.buf.length > 64 << 20) groupBuffer = new EncodeBuffer(1 << 20)
      if (E.isLeft(result)) {
        failure = result.left
        // Nothing can have been queued since the group was taken (this callback is synchronous), and every later
        // append sees `failure` and fails at once.
        for (const p of group) p.resolve(result)
      } else {
        durableSeq = group.at(-1)!.ack.lastSeq
        for (const p of group) p.resolve(E.right(p.ack))
        for (const w of waiters) w()
      }
      flushing = false
      flush()
    })
  }

  const append = (items: readonly AppendItem[], o: AppendOptions = {}): Promise<E.Either<JournalError, AppendAck>> => {
    if (closed) return Promise.resolve(E.left({ _tag: 'JournalClosed', reason: 'append after close' }))
    if (failure) return Promise.resolve(E.left(failure))
    if (o.expectedLastSeq !== undefined && o.expectedLastSeq !== nextSeq - 1) {
      return Promise.resolve(
        E.left({ _tag: 'SeqConflict', expectedLastSeq: o.expectedLastSeq, actualLastSeq: nextSeq - 1 }),
      )
    }
    const events = appendItemEvents(items)
    if (events === 0) return Promise.resolve(E.right({ firstSeq: nextSeq, lastSeq: nextSeq - 1 }))
    const firstSeq = nextSeq
    const roll = plannedSize >= segmentBytes
    // A batch that starts a new segment is encoded with that segment's (new) dictionary; the writer switches to it
    // only once the batch is accepted, so a refused batch leaves the current segment and its dictionary in force.
    const segmentEncoder = roll ? new SegmentEncoder() : encoder
    const encoded = segmentEncoder.encodeBatchInto(items, firstSeq, groupBuffer)
    if (E.isLeft(encoded)) {
      const f = encoded.left
      return Promise.resolve(E.left({ _tag: 'InvalidEvent', index: f.index, type: f.type, reason: f.reason }))
    }
    if (roll) {
      encoder = segmentEncoder
      plannedSize = HEADER_BYTES
    }
    const { start, end } = encoded.right
    nextSeq += events
    plannedSize += end - start
    const ack = { firstSeq, lastSeq: nextSeq - 1 }
    return new Promise((resolve) => {
      queue.push({ start, end, ack, roll, resolve })
      flush()
    })
  }

  const setCheckpoint = async (name: string, seq: number): Promise<E.Either<JournalError, void>> => {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > durableSeq) {
      return E.left({
        _tag: 'InvalidEvent',
        index: 0,
        type: 'checkpoint',
        reason: `seq ${seq} is not a durable seq (last is ${durableSeq})`,
      })
    }
    checkpoints = { ...checkpoints, [name]: seq }
    try {
      writeCheckpoints(dir, checkpoints)
      return E.right(undefined)
    } catch (e) {
      return E.left(io('checkpoint', dir, e))
    }
  }

  const sync = async (): Promise<E.Either<JournalError, void>> => {
    while (flushing || queue.length > 0) await new Promise((r) => setImmediate(r))
    if (failure) return E.left(failure)
    if (closed || !unsynced) return E.right(undefined)
    // On libuv's threads, so the caller can work meanwhile (a backtest writes its snapshot while the disk flushes).
    // The group commit's slot is held until it is done, so no write, roll or close touches the file before then;
    // appends made meanwhile are queued and written after it.
    flushing = true
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => fs.fdatasync(fd, resolve))
    flushing = false
    if (err !== null) failure = io('sync', segPath, err)
    else unsynced = false
    flush()
    return failure ? E.left(failure) : E.right(undefined)
  }

  const close = async (): Promise<void> => {
    if (closed) return
    while (flushing || queue.length > 0) await new Promise((r) => setImmediate(r))
    closed = true
    fs.closeSync(fd)
    lock.release()
    for (const w of waiters) w()
  }

  const reader = createReader(
    dir,
    () => durableSeq,
    (w) => {
      waiters.add(w)
      return () => waiters.delete(w)
    },
  )
  return E.right({
    ...reader,
    checkpoint: (name) => checkpoints[name],
    lastSeq: () => durableSeq,
    append,
    sync,
    setCheckpoint,
    close,
  })
}

/** Opens a journal for reading only; works while another process writes it. */
export const openJournalReader = (dir: string): E.Either<JournalError, JournalReader> => {
  const bad = checkDir(dir)
  if (bad) return E.left(bad)
  const segments = listSegments(dir)
  if (segments.length === 0)
    return E.left({ _tag: 'NotAJournal', path: dir, reason: 'no seg-*.bahij segment files in it' })
  // Learn the last seq by reading the last segment through (whole batches only).
  const cursor = new SegmentCursor(dir, { from: Number.MAX_SAFE_INTEGER, to: Number.POSITIVE_INFINITY })
  let lastSeq = 0
  const refresh = (): E.Either<JournalError, number> => {
    for (;;) {
      const s = cursor.next()
      if (s._tag === 'error') return E.left(s.error)
      if (s._tag === 'end') return E.right((lastSeq = cursor.nextSeq - 1))
    }
  }
  const first = refresh()
  if (E.isLeft(first)) {
    cursor.close()
    return first
  }
  const watchers = new Set<() => void>()
  let watcher: fs.FSWatcher | undefined
  const subscribe = (w: () => void) => {
    watchers.add(w)
    if (watcher === undefined) {
      try {
        watcher = fs.watch(dir, () => {
          for (const f of watchers) f()
        })
        watcher.unref()
      } catch {
        // fs.watch is an optimisation; polling still finds new appends.
      }
    }
    return () => {
      watchers.delete(w)
      if (watchers.size === 0) {
        watcher?.close()
        watcher = undefined
      }
    }
  }
  const reader = createReader(
    dir,
    () => {
      const r = refresh()
      return E.isRight(r) ? r.right : lastSeq
    },
    subscribe,
  )
  return E.right({
    ...reader,
    checkpoint: (name) => readCheckpoints(dir)[name],
    close: async () => {
      cursor.close()
      watcher?.close()
    },
  })
}

/** A read that was promised events up to `to` found the journal ending earlier. */
const endsBefore = (dir: string, cursor: SegmentCursor, to: number): JournalError => ({
  _tag: 'JournalCorrupt',
  path: dir,
  offset: cursor.pos,
  seq: cursor.nextSeq,
  reason: `journal ends before seq ${to}`,
})

const createReader = (
  dir: string,
  lastSeq: () => number,
  subscribe: (wake: () => void) => () => void,
): JournalReader => {
  async function* read(opts: ReadOptions = {}): EnvelopeStream {
    const to = Math.min(opts.to ?? Number.POSITIVE_INFINITY, lastSeq())
    const from = opts.from ?? 1
    if (from > to) return
    const cursor = new SegmentCursor(dir, { from, to })
    try {
      for (;;) {
        const s = cursor.next()
        if (s._tag === 'events') yield E.right(s.events as readonly Envelope[])
        else if (s._tag === 'error') {
          yield E.left(s.error)
          return
        } else {
          if (cursor.nextSeq <= to) yield E.left(endsBefore(dir, cursor, to))
          return
        }
      }
    } finally {
      cursor.close()
    }
  }

  const scan = async (
    opts: ReadOptions,
    visit: (e: Envelope) => unknown,
  ): Promise<E.Either<JournalError, ScanResult>> => {
    const to = Math.min(opts.to ?? Number.POSITIVE_INFINITY, lastSeq())
    const from = opts.from ?? 1
    let count = 0
    if (from > to) return E.right({ count, lastSeq: from - 1 })
    const cursor = new SegmentCursor(dir, { from, to, transient: true })
    try {
      for (;;) {
        const s = cursor.visit(visit)
        if (s._tag === 'visited') {
          count += s.count
          // Let timers and I/O run between chunks of a long scan.
          await new Promise<void>((r) => setImmediate(r))
        } else if (s._tag === 'error') return E.left(s.error)
        else if (cursor.nextSeq <= to && !cursor.stopped) return E.left(endsBefore(dir, cursor, to))
        else return E.right({ count, lastSeq: cursor.nextSeq - 1 })
      }
    } finally {
      cursor.close()
    }
  }

  async function* tail(opts: TailOptions = {}): EnvelopeStream {
    const cursor = new SegmentCursor(dir, { from: opts.from ?? 1, to: Number.POSITIVE_INFINITY })
    const pollMs = opts.pollMs ?? 50
    let wake: (() => void) | undefined
    const unsubscribe = subscribe(() => wake?.())
    const onAbort = () => wake?.()
    opts.signal?.addEventListener('abort', onAbort)
    try {
      // In the writer's process a batch reaches the file and its fdatasync in one synchronous step, so whatever
      // the cursor finds there is durable. Another process sees whole batches as soon as they are written.
      while (opts.signal?.aborted !== true) {
        const s = cursor.next()
        if (s._tag === 'error') {
          yield E.left(s.error)
          return
        }
        if (s._tag === 'events') {
          yield E.right(s.events)
          continue
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs)
          wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wake = undefined
      }
    } finally {
      unsubscribe()
      opts.signal?.removeEventListener('abort', onAbort)
      cursor.close()
    }
  }

  return { lastSeq, read, scan, tail, checkpoint: () => undefined, close: async () => {} }
}
