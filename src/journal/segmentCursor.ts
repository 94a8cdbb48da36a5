import * as fs from 'node:fs'
import type { Envelope } from '../domain/events/index.js'
import { type BlockHeader, blockChecksum, KIND_BAR_BLOCK, readBlockHeader } from './barBlocks.js'
import { crc32c } from './crc32c.js'
import type { JournalError } from './journalErrors.js'
import { type DecodeResult, FRAME_BYTES, KIND_BATCH, KIND_DICT, KIND_LAYOUT, SegmentDecoder } from './recordCodec.js'
import { checkHeader, HEADER_BYTES, headerVersion, listSegments, type SegmentRef } from './segmentFiles.js'

// Reads a journal directory forward, batch by batch, across segments. Only whole batches are delivered: a batch
// still being written (or torn by a crash) at the end of the last segment is left for later, and `incompleteAt`
// says where it starts. Every record's checksum is checked before it is decoded; nothing is skipped silently.

const CHUNK_BYTES = 4 << 20
const BATCH_HEADER_LEN = 17

export type CursorStep =
  | { readonly _tag: 'events'; readonly events: Envelope[] }
  | { readonly _tag: 'end' }
  | { readonly _tag: 'error'; readonly error: JournalError }

export interface CursorOptions {
  readonly from: number
  readonly to: number
  /** Also check the checksums of records before `from` (recovery wants this; plain reads skip them). */
  readonly checkSkipped?: boolean
  /** Decode ticks and bars into reused objects (see `visit`). */
  readonly transient?: boolean
}

export class SegmentCursor {
  private segments: SegmentRef[]
  private segIdx: number
  private fd: number | undefined
  private buf = Buffer.allocUnsafe(CHUNK_BYTES)
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  private done = false
  /** Set when a visitor asked to stop (as opposed to reaching `to` or the end). */
  stopped = false
  /** File offset of the next batch in the current segment. */
  pos = HEADER_BYTES
  /** Seq the next event must have. */
  nextSeq = 1
  decoder: SegmentDecoder
  /** Where an incomplete batch begins at the end of the last segment, if one does. */
  incompleteAt: number | undefined

  constructor(
    private readonly dir: string,
    private readonly opts: CursorOptions,
  ) {
    this.decoder = new SegmentDecoder(opts.transient === true)
    this.segments = listSegments(dir)
    // Start in the last segment whose first seq is at or before `from`.
    let idx = 0
    for (let i = 0; i < this.segments.length; i++) if (this.segments[i]!.firstSeq <= opts.from) idx = i
    this.segIdx = idx
  }

  get segment(): SegmentRef | undefined {
    return this.segments[this.segIdx]
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd)
    this.fd = undefined
  }

  /** The next run of events (never empty), the end of what is written so far, or an error. */
  next(maxEvents = 65_536): CursorStep {
    const events: Envelope[] = []
    const r = this.visit((e) => {
      events.push(e)
    }, maxEvents)
    if (r._tag !== 'visited') return r
    return { _tag: 'events', events }
  }

  /**
   * Like `next`, but hands each event to `visit` instead of collecting them. With `transient`, ticks and bars are
   * decoded into objects that are reused for the next record: the visitor must copy what it keeps. That is how a
   * replay folds millions of events a second without allocating per event.
   */
  visit(
    sink: (e: Envelope) => unknown,
    maxEvents = 65_536,
  ): { readonly _tag: 'visited'; readonly count: number } | Exclude<CursorStep, { _tag: 'events' }> {
    while (!this.done) {
      const seg = this.segments[this.segIdx]
      if (seg === undefined) return { _tag: 'end' }
      if (this.fd === undefined) {
        const opened = this.openSegment(seg)
        if (opened !== undefined) return { _tag: 'error', error: opened }
      }
      const read = fs.readSync(this.fd!, this.buf, 0, this.buf.length, this.pos)
      const r = this.parse(read, sink, maxEvents)
      this.pos += r.consumed
      // On an error `pos` is left at the start of the failing batch (recovery cuts a torn tail there).
      if (r.error !== undefined) return { _tag: 'error', error: r.error }
      if (r.count > 0) return { _tag: 'visited', count: r.count }
      if (this.done) break
      if (r.consumed > 0) continue
      if (r.needBytes > this.buf.length) {
        this.grow(r.needBytes)
        continue
      }
      // Nothing more in this segment for now. Move on only if a later segment exists: then this one is final.
      if (this.segIdx === this.segments.length - 1) this.segments = listSegments(this.dir)
      if (this.segIdx < this.segments.length - 1) {
        const size = fs.fstatSync(this.fd!).size
        if (size > this.pos + read) continue // it grew before the next segment appeared: read the rest first
        if (size > this.pos) {
          return {
            _tag: 'error',
            error: this.corrupt(this.pos, 'segment ends with an incomplete batch but a later segment exists'),
          }
        }
        this.close()
        this.segIdx++
        continue
      }
      this.incompleteAt = read > 0 ? this.pos : undefined
      return { _tag: 'end' }
    }
    return { _tag: 'end' }
  }

  private grow(bytes: number): void {
    this.buf = Buffer.allocUnsafe(bytes)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }

  private openSegment(seg: SegmentRef): JournalError | undefined {
    let fd: number
    try {
      fd = fs.openSync(seg.path, 'r')
    } catch (e) {
      return { _tag: 'JournalIo', op: 'open', path: seg.path, reason: (e as Error).message }
    }
    const h = Buffer.alloc(HEADER_BYTES)
    const n = fs.readSync(fd, h, 0, HEADER_BYTES, 0)
    const bad = checkHeader(h.subarray(0, n), seg.firstSeq)
    if (bad !== undefined) {
      fs.closeSync(fd)
      return { _tag: 'NotAJournal', path: seg.path, reason: bad }
    }
    const prev = this.segments[this.segIdx - 1]
    if (prev !== undefined && this.nextSeq !== 1 && this.nextSeq !== seg.firstSeq) {
      fs.closeSync(fd)
      return this.corrupt(
        0,
        `segment starts at seq ${seg.firstSeq} but the previous one ended before seq ${this.nextSeq}`,
      )
    }
    this.fd = fd
    this.pos = HEADER_BYTES
    this.nextSeq = seg.firstSeq
    this.decoder = new SegmentDecoder(this.opts.transient === true, headerVersion(h))
    return undefined
  }

  private corrupt(offset: number, reason: string): JournalError {
    return { _tag: 'JournalCorrupt', path: this.segment?.path ?? this.dir, offset, seq: this.nextSeq, reason }
  }

  /** What `visitBlock` handed over and passed (the events before `from` are passed, not handed over). */
  private blockDelivered = 0
  private blockPassed = 0

  /**
   * Hands a bar block's wanted bars to `sink`, moving `nextSeq` over each bar it passes. Ends with 'all', 'to' (a bar
   * beyond `to`, not passed), 'stopped' (the visitor asked, after that bar) or the first bar that does not decode.
   * Its own method, so the record loop stays small for the records that are not blocks.
   */
  private visitBlock(
    v: DataView,
    block: BlockHeader,
    sink: (e: Envelope) => unknown,
    from: number,
    to: number,
  ): 'all' | 'to' | 'stopped' | Extract<DecodeResult, { kind: 'error' }> {
    this.blockDelivered = 0
    this.blockPassed = 0
    for (let j = 0; j < block.count; j++) {
      const at = this.nextSeq
      if (at > to) return 'to'
      this.nextSeq++
      this.blockPassed++
      if (at < from) continue
      const bar = this.decoder.blockBar(v, block, j)
      if (bar.kind === 'error') return bar
      this.blockDelivered++
      if (sink(bar.event) === false) return 'stopped'
    }
    return 'all'
  }

  /**
   * Parses whole batches from `buf[0, len)`. Returns the bytes consumed (a whole number of batches), or how many
   * bytes the next batch needs when it does not fit, or an error.
   */
  private parse(
    len: number,
    sink: (e: Envelope) => unknown,
    maxEvents: number,
  ): { consumed: number; count: number; needBytes: number; error: JournalError | undefined } {
    const buf = this.buf
    const v = this.view
    const { from, to } = this.opts
    const checkSkipped = this.opts.checkSkipped === true
    let p = 0
    let count = 0
    let batchFirstSeq = this.nextSeq
    const fail = (at: number, error: JournalError) => {
      // `at` is the start of the failing batch: the next seq is that batch's first again.
      this.nextSeq = batchFirstSeq
      return { consumed: at, count, needBytes: 0, error }
    }
    while (count < maxEvents) {
      const batchStart = p
      batchFirstSeq = this.nextSeq
      if (len - p < FRAME_BYTES + BATCH_HEADER_LEN)
        return { consumed: p, count, needBytes: FRAME_BYTES + BATCH_HEADER_LEN, error: undefined }
      const hLen = v.getUint32(p, true)
      const hBody = p + FRAME_BYTES
      if (
        hLen !== BATCH_HEADER_LEN ||
        buf[hBody] !== KIND_BATCH ||
        v.getUint32(p + 4, true) !== crc32c(buf, hBody, hBody + hLen)
      ) {
        return fail(
          p,
          this.corrupt(
            this.pos + p,
            'expected a batch header, found bytes that are not one (bad length, kind or checksum)',
          ),
        )
      }
      const batchCount = v.getUint32(hBody + 1, true)
      const firstSeq = v.getFloat64(hBody + 5, true)
      const bytes = v.getUint32(hBody + 13, true)
      if (firstSeq !== this.nextSeq) {
        return fail(
          p,
          this.corrupt(this.pos + p, `batch starts at seq ${firstSeq}, expected ${this.nextSeq} (gap or reordering)`),
        )
      }
      const batchEnd = hBody + BATCH_HEADER_LEN + bytes
      if (batchEnd > len) return { consumed: p, count, needBytes: batchEnd - batchStart, error: undefined }
      if (firstSeq > to) {
        this.done = true
        return { consumed: p, count, needBytes: 0, error: undefined }
      }
      // The whole batch is in the buffer. Decode only if some of it is wanted.
      const wanted = firstSeq + batchCount - 1 >= from
      let q = hBody + BATCH_HEADER_LEN
      let seen = 0
      while (q < batchEnd) {
        if (batchEnd - q < FRAME_BYTES)
          return fail(batchStart, this.corrupt(this.pos + q, 'record frame cut short inside a batch'))
        const bodyLen = v.getUint32(q, true)
        const body = q + FRAME_BYTES
        const end = body + bodyLen
        if (bodyLen === 0 || end > batchEnd) {
          return fail(batchStart, this.corrupt(this.pos + q, `record length ${bodyLen} does not fit its batch`))
        }
        // Dictionary and layout records hold no event but define how later records read: always decoded.
        const kind = buf[body]
        const isTable = kind === KIND_DICT || kind === KIND_LAYOUT
        const seq = this.nextSeq
        if (!isTable && seq > to) {
          // The batch straddles `to`: stop here; nothing after it is wanted.
          this.done = true
          return { consumed: batchEnd, count, needBytes: 0, error: undefined }
        }
        const isBlock = kind === KIND_BAR_BLOCK
        if (isBlock && !checkSkipped && seq < from) {
          // A block wholly before `from` is passed by its header's count, unchecked like any skipped record (the
          // header's count must match the record's length, and the batch's count must match in the end).
          const h = readBlockHeader(v, body, end)
          if (typeof h !== 'string' && h.firstSeq === seq && seq + h.count <= from) {
            this.nextSeq += h.count
            seen += h.count
            q = end
            continue
          }
        }
        const decode = isTable || isBlock || (wanted && seq >= from && seq <= to)
        if (
          (decode || checkSkipped) &&
          v.getUint32(q + 4, true) !== (isBlock ? blockChecksum(buf, body, end) : crc32c(buf, body, end))
        ) {
          return fail(
            batchStart,
            this.corrupt(
              this.pos + q,
              `record ${isTable ? '(dictionary or layout)' : `seq ${seq}`} fails its checksum`,
            ),
          )
        }
        if (decode) {
          const r = this.decoder.decode(buf, v, body, end)
          switch (r.kind) {
            case 'event':
              if (r.event.seq !== seq) {
                return fail(batchStart, this.corrupt(this.pos + q, `record holds seq ${r.event.seq}, expected ${seq}`))
              }
              count++
              this.nextSeq++
              seen++
              if (sink(r.event) === false) {
                // The visitor has what it wanted: stop after this event.
                this.done = true
                this.stopped = true
                return { consumed: batchEnd, count, needBytes: 0, error: undefined }
              }
              break
            case 'bars': {
              if (r.block.firstSeq !== seq) {
                return fail(
                  batchStart,
                  this.corrupt(this.pos + q, `bar block starts at seq ${r.block.firstSeq}, expected ${seq}`),
                )
              }
              const ended = this.visitBlock(v, r.block, sink, from, to)
              count += this.blockDelivered
              seen += this.blockPassed
              if (ended === 'all') break
              if (ended === 'stopped') this.stopped = true
              if (ended === 'to' || ended === 'stopped') {
                this.done = true
                return { consumed: batchEnd, count, needBytes: 0, error: undefined }
              }
              return fail(batchStart, {
                _tag: 'EventUndecodable',
                seq: ended.seq ?? seq,
                type: ended.type,
                reason: ended.reason,
              })
            }
            case 'dict':
            case 'layout':
              break
            case 'batch':
              return fail(batchStart, this.corrupt(this.pos + q, 'batch header inside a batch'))
            case 'error':
              return fail(batchStart, { _tag: 'EventUndecodable', seq: r.seq ?? seq, type: r.type, reason: r.reason })
          }
        } else if (!isTable) {
          this.nextSeq++
          seen++
        }
        q = end
      }
      if (seen !== batchCount) {
        return fail(
          batchStart,
          this.corrupt(this.pos + batchStart, `batch header says ${batchCount} events, found ${seen}`),
        )
      }
      p = batchEnd
    }
    return { consumed: p, count, needBytes: 0, error: undefined }
  }
}

/**
 * After an error at `offset`, is there a valid batch header later in `rest` (the bytes from `offset` to the end of
 * the segment)? If so the damage is in the middle of the journal; if not, it is a torn final write.
 */
export const validBatchFollows = (rest: Buffer, minFirstSeq: number): boolean => {
  const v = new DataView(rest.buffer, rest.byteOffset, rest.byteLength)
  for (let p = 1; p + FRAME_BYTES + BATCH_HEADER_LEN <= rest.length; p++) {
    if (v.getUint32(p, true) !== BATCH_HEADER_LEN || rest[p + FRAME_BYTES] !== KIND_BATCH) continue
    const body = p + FRAME_BYTES
    if (v.getUint32(p + 4, true) !== crc32c(rest, body, body + BATCH_HEADER_LEN)) continue
    if (v.getFloat64(body + 5, true) >= minFirstSeq) return true
  }
  return false
}
