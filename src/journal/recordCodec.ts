import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import {
  type AppendItem,
  type BarClosed,
  type BarColumns,
  DomainEvent,
  type Envelope,
  EVENT_TYPES,
  type EventDraft,
  type EventType,
  isBarRows,
  TIMEFRAMES,
  type TickReceived,
  type Timeframe,
} from '../domain/events/index.js'
import { InstrumentKey } from '../domain/ids/index.js'
import {
  type BlockHeader,
  blockBodyBytes,
  blockChecksum,
  blockRowsCheck,
  hostIsLittleEndian,
  KIND_BAR_BLOCK,
  MAX_BLOCK_ROWS,
  MIN_BLOCK_ROWS,
  readBlockHeader,
  writeBarBlock,
} from './barBlocks.js'
import { crc32c } from './crc32c.js'
import { type FieldList, layoutBytes, type PayloadLayout, readLayout, WRITE_LAYOUTS } from './payloadLayouts.js'
import { FORMAT_VERSION } from './segmentFiles.js'
import { strictText, TextCache, utf8Length, writeText, writeUtf8 } from './utf8Text.js'

// The on-disk record format. Every record is framed as
//   u32 bodyLength | u32 crc32c(body) | body
// (a bar block's checksum is CRC-32 instead, see barBlocks.ts)
// and the body starts with a kind byte. Ticks and bars (nearly all events) have fixed binary layouts; every other
// event is a flat record laid out from its codec (payloadLayouts.ts), or its JSON payload where a flat record cannot
// hold it exactly, checked by its io-ts codec on read. Instrument keys in binary records are small
// ids into a per-segment dictionary, written inline (a DICT record) before the first record that uses them.
// Each append writes a BATCH record first, holding the batch's length, so recovery can tell a torn final batch
// (cut, with a warning) from damage in the middle of the journal (an error). All numbers are little-endian.

export const FRAME_BYTES = 8
export const KIND_BATCH = 1
export const KIND_DICT = 2
export const KIND_TICK = 10
export const KIND_BAR = 11
export const KIND_JSON = 12
/** An event whose payload is laid out by its segment's LAYOUT record for its type (see payloadLayouts.ts). */
export const KIND_FLAT = 13
export const KIND_LAYOUT = 3

/** Common event header after the kind byte: seq, ts, causation (0 = none) as f64, then u16 correlation length. */
const EVENT_HEADER = 1 + 8 + 8 + 8 + 2
const BATCH_BODY = 1 + 4 + 8 + 4

const TYPE_ID = new Map<string, number>(EVENT_TYPES.map((type, i) => [type, i]))
const TF_CODE = new Map<Timeframe, number>(TIMEFRAMES.map((tf, i) => [tf, i]))
const CODEC_BY_TYPE = new Map<string, t.Mixed>(DomainEvent.types.map((c) => [c.props.type.value, c]))

const TICK_OPTIONAL = ['volume', 'oi', 'bidPaise', 'askPaise', 'bidQty', 'askQty'] as const

const isSafeNonNeg = (n: number) => Number.isSafeInteger(n) && n >= 0
const isSafePos = (n: number) => Number.isSafeInteger(n) && n > 0

const utf8 = new TextEncoder()

/** Why a bar read back (from a bar record or a block, kept or transient) is invalid, or undefined. */
const barProblem = (
  openMs: number,
  openPaise: number,
  highPaise: number,
  lowPaise: number,
  closePaise: number,
  volume: number,
): string | undefined => {
  if (!(isSafePos(openPaise) && isSafePos(highPaise) && isSafePos(lowPaise) && isSafePos(closePaise)))
    return `prices ${openPaise}/${highPaise}/${lowPaise}/${closePaise} are not positive whole paise`
  if (!isSafeNonNeg(openMs) || !isSafeNonNeg(volume)) return 'openMs or volume is not a non-negative whole number'
  return undefined
}

const KIND_S = 's'.charCodeAt(0)
const KIND_N = 'n'.charCodeAt(0)
const KIND_B = 'b'.charCodeAt(0)

/**
 * An upper bound of a scalar record's bytes (see payloadLayouts.ts), or undefined when a flat record cannot hold it:
 * a value that is not a string, finite number or boolean (JSON would refuse or change it), or over 65535 entries.
 */
const scalarRecordBound = (r: Record<string, unknown>): number | undefined => {
  let size = 2
  let n = 0
  for (const k in r) {
    const v = r[k]
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined
      size += 8
    } else if (typeof v === 'string') size += 4 + 3 * v.length
    else if (typeof v === 'boolean') size += 1
    else return undefined
    size += 3 + 3 * k.length
    // A key's byte length is a u16. `__proto__` would be dropped when read back (assigning it sets the prototype).
    if (++n > 0xffff || k.length > 0x5555 || k === '__proto__') return undefined
  }
  return size
}

/** Writes a scalar record at `at` (room checked by `scalarRecordBound`); returns where it ends. */
const writeScalarRecord = (out: EncodeBuffer, r: Record<string, unknown>, at: number): number => {
  const v = out.view
  const countAt = at
  let n = 0
  at += 2
  for (const k in r) {
    const value = r[k]
    const keyLen = writeText(out.buf, k, at + 2)
    v.setUint16(at, keyLen, true)
    at += 2 + keyLen
    if (typeof value === 'number') {
      v.setUint8(at, KIND_N)
      v.setFloat64(at + 1, value, true)
      at += 9
    } else if (typeof value === 'string') {
      const len = writeText(out.buf, value, at + 5)
      v.setUint8(at, KIND_S)
      v.setUint32(at + 1, len, true)
      at += 5 + len
    } else {
      v.setUint8(at, KIND_B)
      v.setUint8(at + 1, value === true ? 1 : 0)
      at += 2
    }
    n++
  }
  v.setUint16(countAt, n, true)
  return at
}

/** A growable output buffer; reused across batches so steady-state encoding allocates nothing. */
export class EncodeBuffer {
  buf: Buffer
  view: DataView
  pos = 0
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size)
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)
  }
  ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength)
  }
}

export interface EncodeFailure {
  readonly index: number
  readonly type: string
  readonly reason: string
}

/**
 * Encodes batches for one segment. Holds the segment's dictionary (instrument key -> id); `rollback` undoes the
 * dictionary entries of a batch that was not written.
 */
export class SegmentEncoder {
  private readonly dict = new Map<string, number>()
  private pendingDict: string[] = []
  /** By type id: whether this segment already holds that type's LAYOUT record. */
  private readonly layoutWritten: boolean[] = []
  private pendingLayouts: number[] = []
  /** The JSON texts of a flat record's `j` fields, by field index, between sizing and writing the record. */
  private readonly jsonTexts: (string | undefined)[] = []
  private readonly own = new EncodeBuffer(1 << 16)
  /** Where the batch being encoded goes: `own`, or the caller's buffer in `encodeBatchInto`. */
  private out: EncodeBuffer = this.own

  /** The key list of the last bar block, and the dictionary id of each of its keys (-1: not asked yet). */
  private blockKeys: readonly string[] | undefined
  private blockIds = new Int32Array(0)
  /** Flat records need format version 2 (else JSON records); bar blocks need 3 (else one record per bar). */
  private readonly flatRecords: boolean
  private readonly barBlocks: boolean

  /**
   * `existing`: the dictionary of the segment being continued; `formatVersion`: that segment's, so that continuing
   * an older segment writes only records its version holds.
   */
  constructor(existing: readonly string[] = [], formatVersion: number = FORMAT_VERSION) {
    existing.forEach((k, i) => {
      this.dict.set(k, i)
    })
    this.flatRecords = formatVersion >= 2
    this.barBlocks = formatVersion >= 3 && hostIsLittleEndian
  }

  /** Encodes `items` as seqs `firstSeq..`; returns the bytes (valid until the next call) or the first bad event. */
  encodeBatch(items: readonly AppendItem[], firstSeq: number): E.Either<EncodeFailure, Buffer> {
    this.own.pos = 0
    const r = this.encodeBatchInto(items, firstSeq, this.own)
    return E.isLeft(r) ? r : E.right(this.own.buf.subarray(r.right.start, r.right.end))
  }

  /**
   * Appends the encoded batch to `out` at its current position (the journal writer's group buffer, so a group of
   * appends is written from one buffer with no copy). On failure `out` is left as it was.
   */
  encodeBatchInto(
    items: readonly AppendItem[],
    firstSeq: number,
    out: EncodeBuffer,
  ): E.Either<EncodeFailure, { readonly start: number; readonly end: number }> {
    this.out = out
    this.pendingDict = []
    this.pendingLayouts = []
    out.ensure(FRAME_BYTES + BATCH_BODY)
    const batchStart = out.pos
    out.pos += FRAME_BYTES + BATCH_BODY
    // `n`: events encoded so far, so event `n` gets seq `firstSeq + n` and a refusal names its index in the batch.
    let n = 0
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (isBarRows(item)) {
        const { columns, from, to } = item
        let r = from
        if (this.barBlocks) {
          while (to - r >= MIN_BLOCK_ROWS) {
            const last = Math.min(to, r + MAX_BLOCK_ROWS)
            // A run with a value a bar record would refuse goes row by row from here, which words the refusal.
            if (!this.encodeBarBlock(columns, r, last, firstSeq + n)) break
            n += last - r
            r = last
          }
        }
        for (; r < to; r++, n++) {
          const failure = this.encodeBarRow(columns, r, firstSeq + n)
          if (failure !== undefined) return this.refuse(batchStart, n, 'BarClosed', failure)
        }
        continue
      }
      const failure = this.encodeOne(item, firstSeq + n)
      if (failure !== undefined) return this.refuse(batchStart, n, item.type, failure)
      n++
    }
    // Batch header: kind, count, first seq, bytes that follow.
    const v = out.view
    const body = batchStart + FRAME_BYTES
    v.setUint8(body, KIND_BATCH)
    v.setUint32(body + 1, n, true)
    v.setFloat64(body + 5, firstSeq, true)
    v.setUint32(body + 13, out.pos - (body + BATCH_BODY), true)
    v.setUint32(batchStart, BATCH_BODY, true)
    v.setUint32(batchStart + 4, crc32c(out.buf, body, body + BATCH_BODY), true)
    return E.right({ start: batchStart, end: out.pos })
  }

  private refuse(batchStart: number, index: number, type: string, reason: string): E.Either<EncodeFailure, never> {
    this.rollback()
    this.out.pos = batchStart
    return E.left({ index, type, reason })
  }

  /** Forgets the dictionary ids handed out by the last `encodeBatch` (its bytes never reached the file). */
  rollback(): void {
    this.blockKeys = undefined
    for (const k of this.pendingDict) this.dict.delete(k)
    this.pendingDict = []
    for (const id of this.pendingLayouts) this.layoutWritten[id] = false
    this.pendingLayouts = []
  }

  dictionarySize(): number {
    return this.dict.size
  }

  /** A key already in the dictionary was checked when it went in: the regex runs once per key, not per event. */
  private knownKey(key: string): boolean {
    return this.dict.has(key) || InstrumentKey.is(key)
  }

  private keyId(key: string): number {
    const id = this.dict.get(key)
    if (id !== undefined) return id
    const next = this.dict.size
    if (next > 0xffff) throw new Error('segment dictionary full (65536 instruments); roll the segment first')
    this.dict.set(key, next)
    this.pendingDict.push(key)
    const bytes = utf8.encode(key)
    const out = this.out
    out.ensure(FRAME_BYTES + 3 + bytes.length)
    const start = out.pos
    const body = start + FRAME_BYTES
    out.view.setUint8(body, KIND_DICT)
    out.view.setUint16(body + 1, next, true)
    out.buf.set(bytes, body + 3)
    const end = body + 3 + bytes.length
    out.view.setUint32(start, end - body, true)
    out.view.setUint32(start + 4, crc32c(out.buf, body, end), true)
    out.pos = end
    return next
  }

  /** Returns a reason when the draft cannot be encoded; writes nothing in that case. */
  private encodeOne(d: EventDraft, seq: number): string | undefined {
    if (!isSafeNonNeg(d.ts)) return `ts ${d.ts} is not a whole number of epoch milliseconds`
    if (d.causationId !== undefined && !(isSafePos(d.causationId) && d.causationId < seq)) {
      return `causationId ${d.causationId} must be an earlier seq than ${seq}`
    }
    const corr = d.correlationId
    const corrLen = corr === undefined ? 0 : utf8Length(corr)
    // 0xffff in the u16 length field marks an absent correlationId, so 65534 bytes is the longest one.
    if (corrLen >= 0xffff) return `correlationId of ${corrLen} bytes is longer than 65534`
    switch (d.type) {
      case 'TickReceived':
        return this.encodeTick(d, seq, corr, corrLen)
      case 'BarClosed':
        return this.encodeBar(d, seq, corr, corrLen)
      default: {
        const typeId = TYPE_ID.get(d.type)
        const layout = typeId === undefined || !this.flatRecords ? undefined : WRITE_LAYOUTS[typeId]
        // A payload the layout cannot hold exactly goes to the JSON path, which also words any refusal.
        if (layout !== undefined && this.encodeFlat(d, seq, corr, corrLen, layout)) return undefined
        return this.encodeJson(d, seq, corr, corrLen)
      }
    }
  }

  /**
   * Writes `d` as a flat record and returns true, or writes nothing and returns false when the layout cannot hold it
   * exactly: a field that fails its codec, a property the codec does not name (JSON would keep it), a property set to
   * undefined, or a `j` field whose JSON would not read back as itself (NaN, Infinity: see encodeJson).
   */
  private encodeFlat(
    d: EventDraft,
    seq: number,
    corr: string | undefined,
    corrLen: number,
    layout: PayloadLayout,
  ): boolean {
    const p = d.payload as Record<string, unknown>
    if (typeof p !== 'object' || p === null) return false
    const { names, kinds, required, checks } = layout
    let keys = 0
    for (const _ in p) keys++
    let present = 0
    let presence = 0
    // An upper bound of the bytes after the header: UTF-8 takes at most 3 bytes per UTF-16 unit.
    let size = 1 + 4
    for (let i = 0; i < names.length; i++) {
      const v = p[names[i]!]
      if (v === undefined) {
        if (required[i]) return false
        continue
      }
      // NaN and the infinities fail here as they fail in JSON, whose refusal words it (`null` in its text).
      if (!checks[i]!(v) || (kinds[i] === 'n' && !Number.isFinite(v))) return false
      presence |= 1 << i
      present++
      switch (kinds[i]) {
        case 's':
          size += 4 + 3 * (v as string).length
          break
        case 'n':
          size += 8
          break
        case 'b':
          size += 1
          break
        case 'r': {
          const bytes = scalarRecordBound(v as Record<string, unknown>)
          if (bytes === undefined) return false
          size += bytes
          break
        }
        default: {
          let text: string | undefined
          try {
            text = JSON.stringify(v)
          } catch {
            return false // a BigInt or a cycle: the JSON path refuses it, with JSON's own words
          }
          if (text === undefined || text.includes('null')) return false
          this.jsonTexts[i] = text
          size += 4 + 3 * text.length
        }
      }
    }
    if (present !== keys) return false
    if (this.layoutWritten[layout.typeId] !== true) this.writeLayout(layout)
    let at = this.header(KIND_FLAT, d.ts, d.causationId ?? 0, seq, corr, corrLen, size)
    const out = this.out
    const v = out.view
    v.setUint8(at, layout.typeId)
    v.setUint32(at + 1, presence >>> 0, true)
    at += 5
    for (let i = 0; i < names.length; i++) {
      if ((presence & (1 << i)) === 0) continue
      switch (kinds[i]) {
        case 's':
        case 'j': {
          const text = kinds[i] === 's' ? (p[names[i]!] as string) : this.jsonTexts[i]!
          const len = writeText(out.buf, text, at + 4)
          v.setUint32(at, len, true)
          at += 4 + len
          break
        }
        case 'n':
          v.setFloat64(at, p[names[i]!] as number, true)
          at += 8
          break
        case 'r':
          at = writeScalarRecord(out, p[names[i]!] as Record<string, unknown>, at)
          break
        default:
          v.setUint8(at, p[names[i]!] === true ? 1 : 0)
          at += 1
      }
    }
    this.seal(at)
    return true
  }

  private writeLayout(layout: PayloadLayout): void {
    const bytes = layoutBytes(layout)
    const out = this.out
    out.ensure(FRAME_BYTES + 1 + bytes.length)
    const start = out.pos
    const body = start + FRAME_BYTES
    out.view.setUint8(body, KIND_LAYOUT)
    out.buf.set(bytes, body + 1)
    const end = body + 1 + bytes.length
    out.view.setUint32(start, end - body, true)
    out.view.setUint32(start + 4, crc32c(out.buf, body, end), true)
    out.pos = end
    this.layoutWritten[layout.typeId] = true
    this.pendingLayouts.push(layout.typeId)
  }

  private header(
    kind: number,
    ts: number,
    causation: number,
    seq: number,
    corr: string | undefined,
    corrLen: number,
    extra: number,
  ): number {
    const out = this.out
    out.ensure(FRAME_BYTES + EVENT_HEADER + corrLen + extra)
    const body = out.pos + FRAME_BYTES
    const v = out.view
    v.setUint8(body, kind)
    v.setFloat64(body + 1, seq, true)
    v.setFloat64(body + 9, ts, true)
    v.setFloat64(body + 17, causation, true)
    v.setUint16(body + 25, corr === undefined ? 0xffff : corrLen, true)
    if (corr !== undefined) writeUtf8(out.buf, corr, corrLen, body + EVENT_HEADER)
    return body + EVENT_HEADER + corrLen
  }

  private seal(end: number): void {
    const out = this.out
    const start = out.pos
    const body = start + FRAME_BYTES
    out.view.setUint32(start, end - body, true)
    out.view.setUint32(start + 4, crc32c(out.buf, body, end), true)
    out.pos = end
  }

  private encodeTick(
    d: TickReceived & EventDraft,
    seq: number,
    corr: string | undefined,
    corrLen: number,
  ): string | undefined {
    const p = d.payload
    if (!isSafePos(p.ltpPaise)) return `ltpPaise ${p.ltpPaise} is not a positive whole number of paise`
    if (!isSafeNonNeg(p.lttMs)) return `lttMs ${p.lttMs} is not a whole number of epoch milliseconds`
    if (!isSafeNonNeg(p.ltq)) return `ltq ${p.ltq} is not a non-negative whole number`
    let presence = 0
    for (let b = 0; b < TICK_OPTIONAL.length; b++) {
      const v = p[TICK_OPTIONAL[b]!]
      if (v === undefined) continue
      if (!Number.isSafeInteger(v)) return `${TICK_OPTIONAL[b]} ${v} is not a whole number`
      // Only the two prices may be negative (Paise); volume, oi and the quantities are NonNegativeInt in the codec.
      if (v < 0 && TICK_OPTIONAL[b] !== 'bidPaise' && TICK_OPTIONAL[b] !== 'askPaise') {
        return `${TICK_OPTIONAL[b]} ${v} is not a non-negative whole number`
      }
      presence |= 1 << b
    }
    if (!this.knownKey(p.instrumentKey)) return `instrumentKey "${p.instrumentKey}" is not an instrument key`
    const keyId = this.keyId(p.instrumentKey)
    let at = this.header(KIND_TICK, d.ts, d.causationId ?? 0, seq, corr, corrLen, 3 + 8 * 9)
    const v = this.out.view
    v.setUint16(at, keyId, true)
    v.setUint8(at + 2, presence)
    v.setFloat64(at + 3, p.ltpPaise, true)
    v.setFloat64(at + 11, p.lttMs, true)
    v.setFloat64(at + 19, p.ltq, true)
    at += 27
    for (let b = 0; b < TICK_OPTIONAL.length; b++) {
      if (presence & (1 << b)) {
        v.setFloat64(at, p[TICK_OPTIONAL[b]!]!, true)
        at += 8
      }
    }
    this.seal(at)
    return undefined
  }

  private encodeBar(
    d: BarClosed & EventDraft,
    seq: number,
    corr: string | undefined,
    corrLen: number,
  ): string | undefined {
    const p = d.payload
    return this.encodeBarFields(
      seq,
      d.ts,
      d.causationId ?? 0,
      corr,
      corrLen,
      p.instrumentKey,
      p.timeframe,
      p.openMs,
      p.openPaise,
      p.highPaise,
      p.lowPaise,
      p.closePaise,
      p.volume,
      p.oi,
      p.afterGap === true,
    )
  }

  /** Row `i` of bar columns, as the `BarClosed` that `barPayloadAt` builds from it (see `BarRows`). */
  private encodeBarRow(b: BarColumns, i: number, seq: number): string | undefined {
    const ts = b.tsMs[i] as number
    if (!isSafeNonNeg(ts)) return `ts ${ts} is not a whole number of epoch milliseconds`
    const oi = b.oi[i] as number
    return this.encodeBarFields(
      seq,
      ts,
      0,
      undefined,
      0,
      b.keys[b.keyIndex[i] as number] as string,
      b.timeframe,
      b.openMs[i] as number,
      b.openPaise[i] as number,
      b.highPaise[i] as number,
      b.lowPaise[i] as number,
      b.closePaise[i] as number,
      b.volume[i] as number,
      oi > 0 ? oi : undefined,
      false,
    )
  }

  /** Rows `[from, to)` as one bar block (barBlocks.ts); false, with nothing written but dictionary records, if one cannot hold them. */
  private encodeBarBlock(b: BarColumns, from: number, to: number, firstSeq: number): boolean {
    const tf = TF_CODE.get(b.timeframe)
    if (tf === undefined) return false
    const oi = blockRowsCheck(b, from, to)
    if (oi === -1) return false
    // Every key's id first: a new key's DICT record must come before the block that uses it. The ids of the last
    // key list stay valid until a rollback forgets dictionary entries (a backtest's chunks share one list).
    if (b.keys !== this.blockKeys) {
      this.blockKeys = b.keys
      this.blockIds = new Int32Array(b.keys.length).fill(-1)
    }
    const ids = this.blockIds
    for (let i = from; i < to; i++) {
      const k = b.keyIndex[i]!
      if (ids[k] !== undefined && ids[k] !== -1) continue
      const key = b.keys[k]
      if (key === undefined || !this.knownKey(key)) return false
      ids[k] = this.keyId(key)
    }
    const out = this.out
    out.ensure(FRAME_BYTES + blockBodyBytes(to - from, oi))
    const start = out.pos
    const body = start + FRAME_BYTES
    const end = writeBarBlock(out.buf, out.view, body, b, from, to, firstSeq, tf, oi, ids)
    out.view.setUint32(start, end - body, true)
    out.view.setUint32(start + 4, blockChecksum(out.buf, body, end), true)
    out.pos = end
    return true
  }

  /** One bar record from its fields: a draft's and a column row's bars are checked and laid out by this code alone. */
  private encodeBarFields(
    seq: number,
    ts: number,
    causation: number,
    corr: string | undefined,
    corrLen: number,
    instrumentKey: string,
    timeframe: Timeframe,
    openMs: number,
    openPaise: number,
    highPaise: number,
    lowPaise: number,
    closePaise: number,
    volume: number,
    oi: number | undefined,
    afterGap: boolean,
  ): string | undefined {
    const tf = TF_CODE.get(timeframe)
    if (tf === undefined) return `unknown timeframe ${String(timeframe)}`
    // One test for the usual bar; the field-by-field reasons only when it fails (this runs for every bar).
    if (!(isSafePos(openPaise) && isSafePos(highPaise) && isSafePos(lowPaise) && isSafePos(closePaise))) {
      const prices = { openPaise, highPaise, lowPaise, closePaise }
      for (const f of ['openPaise', 'highPaise', 'lowPaise', 'closePaise'] as const) {
        if (!isSafePos(prices[f])) return `${f} ${prices[f]} is not a positive whole number of paise`
      }
    }
    if (!isSafeNonNeg(openMs)) return `openMs ${openMs} is not a whole number of epoch milliseconds`
    if (!isSafeNonNeg(volume)) return `volume ${volume} is not a non-negative whole number`
    if (oi !== undefined && !isSafeNonNeg(oi)) return `oi ${oi} is not a non-negative whole number`
    const known = this.dict.get(instrumentKey)
    if (known === undefined && !InstrumentKey.is(instrumentKey)) {
      return `instrumentKey "${instrumentKey}" is not an instrument key`
    }
    const keyId = known ?? this.keyId(instrumentKey)
    const at = this.header(KIND_BAR, ts, causation, seq, corr, corrLen, 4 + 8 * 7)
    const v = this.out.view
    v.setUint16(at, keyId, true)
    v.setUint8(at + 2, tf)
    v.setUint8(at + 3, (afterGap ? 1 : 0) | (oi !== undefined ? 2 : 0))
    v.setFloat64(at + 4, openMs, true)
    v.setFloat64(at + 12, openPaise, true)
    v.setFloat64(at + 20, highPaise, true)
    v.setFloat64(at + 28, lowPaise, true)
    v.setFloat64(at + 36, closePaise, true)
    v.setFloat64(at + 44, volume, true)
    let end = at + 52
    if (oi !== undefined) {
      v.setFloat64(end, oi, true)
      end += 8
    }
    this.seal(end)
    return undefined
  }

  private encodeJson(d: EventDraft, seq: number, corr: string | undefined, corrLen: number): string | undefined {
    const codec = CODEC_BY_TYPE.get(d.type)
    if (codec === undefined) return `unknown event type "${d.type}"`
    // What will be read back must pass the codec, not just the object: JSON turns NaN, Infinity and holes into null
    // (and cannot hold a BigInt or a cycle), and an event that fails its codec on read would make every later read
    // of the journal fail. The fast path: the object passes the codec's guard and its text holds no `null`, so the
    // text reads back as the same values (no codec here converts on decode). Otherwise the text is parsed back and
    // decoded, and a refusal is worded from whichever check failed.
    let text: string
    try {
      text = JSON.stringify(d.payload)
    } catch (e) {
      const check = codec.decode({ type: d.type, payload: d.payload })
      return E.isLeft(check) ? reportErrors(check.left) : `payload is not JSON: ${(e as Error).message}`
    }
    const wrapped = { type: d.type, payload: d.payload }
    if (text === undefined || text.includes('null') || !codec.is(wrapped)) {
      const reread = codec.decode({ type: d.type, payload: text === undefined ? undefined : JSON.parse(text) })
      if (E.isLeft(reread)) {
        const check = codec.decode(wrapped)
        return E.isLeft(check)
          ? reportErrors(check.left)
          : `payload does not survive JSON: ${reportErrors(reread.left)}`
      }
    }
    // Straight into the buffer: TextEncoder would allocate the bytes first and then copy them.
    const jsonBytes = Buffer.byteLength(text, 'utf8')
    let at = this.header(KIND_JSON, d.ts, d.causationId ?? 0, seq, corr, corrLen, 1 + jsonBytes)
    this.out.view.setUint8(at, TYPE_ID.get(d.type)!)
    at += 1
    this.out.buf.write(text, at, jsonBytes, 'utf8')
    this.seal(at + jsonBytes)
    return undefined
  }
}

/** io-ts errors as `path: expected Type, got value` lines. */
export const reportErrors = (errors: t.Errors): string =>
  errors
    .slice(0, 3)
    .map((e) => {
      const path = e.context
        .map((c) => c.key)
        .filter((k) => k !== '' && !/^\d+$/.test(k))
        .join('.')
      const expected = e.context.at(-1)?.type.name ?? 'value'
      return e.message ?? `${path || '(root)'}: expected ${expected}, got ${JSON.stringify(e.value)}`
    })
    .join('; ')

// ---------------------------------------------------------------------------------------------------------------
// Decoding

export type DecodeResult =
  | { readonly kind: 'event'; readonly event: Envelope }
  | { readonly kind: 'batch'; readonly count: number; readonly firstSeq: number; readonly bytes: number }
  | { readonly kind: 'dict' }
  | { readonly kind: 'layout' }
  /** A bar block: its bars are read one at a time with `blockBar`. */
  | { readonly kind: 'bars'; readonly block: BlockHeader }
  | { readonly kind: 'error'; readonly seq: number | undefined; readonly type: string; readonly reason: string }

/** Decodes records of one segment; holds that segment's dictionary. */
export class SegmentDecoder {
  readonly dict: string[] = []
  /** By type id: the fields of that type's flat records in this segment (its latest LAYOUT record). */
  private readonly layouts: (FieldList | undefined)[] = []
  private readonly texts = new TextCache()

  /**
   * With `transient`, ticks and bars are decoded into the same two objects every time (see SegmentCursor.visit).
   * `formatVersion`: the segment's; a version 1 segment holds no LAYOUT or flat records.
   */
  constructor(
    private readonly transient = false,
    readonly formatVersion = FORMAT_VERSION,
  ) {}

  private readonly tickView = {
    type: 'TickReceived',
    payload: {
      instrumentKey: '',
      ltpPaise: 0,
      lttMs: 0,
      ltq: 0,
      volume: undefined as number | undefined,
      oi: undefined as number | undefined,
      bidPaise: undefined as number | undefined,
      askPaise: undefined as number | undefined,
      bidQty: undefined as number | undefined,
      askQty: undefined as number | undefined,
    },
    seq: 0,
    ts: 0,
    causationId: undefined as number | undefined,
    correlationId: undefined as string | undefined,
  }
  private readonly barView = {
    type: 'BarClosed',
    payload: {
      instrumentKey: '',
      timeframe: '1m' as Timeframe,
      openMs: 0,
      openPaise: 0,
      highPaise: 0,
      lowPaise: 0,
      closePaise: 0,
      volume: 0,
      oi: undefined as number | undefined,
      afterGap: undefined as true | undefined,
    },
    seq: 0,
    ts: 0,
    causationId: undefined as number | undefined,
    correlationId: undefined as string | undefined,
  }

  /** Decodes the body at `[body, end)` of `buf` (CRC already checked by the caller). */
  decode(buf: Buffer, view: DataView, body: number, end: number): DecodeResult {
    const kind = buf[body]
    switch (kind) {
      case KIND_TICK:
      case KIND_BAR:
      case KIND_JSON:
        return this.decodeEvent(kind, buf, view, body, end)
      case KIND_FLAT:
        if (this.formatVersion < 2) return decodeError(undefined, 'record', 'flat record in a version 1 segment')
        return this.decodeEvent(kind, buf, view, body, end)
      case KIND_BAR_BLOCK: {
        if (this.formatVersion < 3) return decodeError(undefined, 'record', 'bar block in a version 1 or 2 segment')
        const block = readBlockHeader(view, body, end)
        if (typeof block === 'string') return decodeError(undefined, 'BarClosed', block)
        if (TIMEFRAMES[block.timeframeCode] === undefined)
          return decodeError(block.firstSeq, 'BarClosed', `unknown timeframe code ${block.timeframeCode}`)
        return { kind: 'bars', block }
      }
      case KIND_LAYOUT: {
        if (this.formatVersion < 2) return decodeError(undefined, 'layout', 'layout record in a version 1 segment')
        const layout = readLayout(buf, body + 1, end)
        if (typeof layout === 'string') return decodeError(undefined, 'layout', layout)
        // A writer continuing a segment (after a restart) writes the layouts it uses again: the latest one applies.
        this.layouts[layout.typeId] = layout.fields
        return { kind: 'layout' }
      }
      case KIND_BATCH:
        if (end - body !== BATCH_BODY)
          return { kind: 'error', seq: undefined, type: 'batch', reason: 'bad batch header length' }
        return {
          kind: 'batch',
          count: view.getUint32(body + 1, true),
          firstSeq: view.getFloat64(body + 5, true),
          bytes: view.getUint32(body + 13, true),
        }
      case KIND_DICT: {
        const id = view.getUint16(body + 1, true)
        const key = strictText(buf, body + 3, end)
        if (key === undefined) {
          return { kind: 'error', seq: undefined, type: 'dictionary', reason: 'instrument key is not valid UTF-8' }
        }
        if (id !== this.dict.length) {
          return {
            kind: 'error',
            seq: undefined,
            type: 'dictionary',
            reason: `dictionary id ${id} out of order (expected ${this.dict.length})`,
          }
        }
        if (!InstrumentKey.is(key))
          return { kind: 'error', seq: undefined, type: 'dictionary', reason: `"${key}" is not an instrument key` }
        this.dict.push(key)
        return { kind: 'dict' }
      }
      default:
        return { kind: 'error', seq: undefined, type: 'record', reason: `unknown record kind ${kind}` }
    }
  }

  private decodeEvent(kind: number, buf: Buffer, v: DataView, body: number, end: number): DecodeResult {
    if (end - body < EVENT_HEADER) return decodeError(undefined, 'event', 'record shorter than an event header')
    const seq = v.getFloat64(body + 1, true)
    const ts = v.getFloat64(body + 9, true)
    const causation = v.getFloat64(body + 17, true)
    const corrLen = v.getUint16(body + 25, true)
    let at = body + EVENT_HEADER
    let correlationId: string | undefined
    if (corrLen !== 0xffff) {
      correlationId = buf.toString('utf8', at, at + corrLen)
      at += corrLen
    }
    if (!isSafePos(seq)) return decodeError(seq, 'event', `seq ${seq} is not a positive whole number`)
    if (!isSafeNonNeg(ts)) return decodeError(seq, 'event', `ts ${ts} is not a whole number of epoch milliseconds`)
    if (causation !== 0 && !(isSafePos(causation) && causation < seq)) {
      return decodeError(seq, 'event', `causationId ${causation} is not an earlier seq`)
    }
    if (this.transient && (kind === KIND_TICK || kind === KIND_BAR)) {
      const view = kind === KIND_TICK ? this.tickView : this.barView
      const bad = kind === KIND_TICK ? this.fillTick(buf, v, at, end) : this.fillBar(buf, v, at, end)
      if (bad !== undefined) return decodeError(seq, view.type, bad)
      view.seq = seq
      view.ts = ts
      view.causationId = causation === 0 ? undefined : causation
      view.correlationId = correlationId
      this.last.event = view as unknown as Envelope
      return this.last
    }
    let payload: unknown
    let type: string
    if (kind === KIND_TICK) {
      type = 'TickReceived'
      payload = this.decodeTick(buf, v, at, end)
    } else if (kind === KIND_BAR) {
      type = 'BarClosed'
      payload = this.decodeBar(buf, v, at, end)
    } else {
      const t = EVENT_TYPES[buf[at]!]
      if (t === undefined) return decodeError(seq, 'event', `unknown event type id ${buf[at]}`)
      type = t
      if (kind === KIND_JSON) payload = decodeJsonPayload(t, buf, at + 1, end)
      else {
        const fields = this.layouts[buf[at]!]
        payload =
          fields === undefined
            ? `${t} record before any layout for its type`
            : decodeFlatPayload(t, fields, this.texts, buf, v, at + 1, end)
      }
    }
    if (typeof payload === 'string') return decodeError(seq, type, payload)
    // Envelopes are built with one literal shape per combination so V8 keeps them monomorphic.
    const event =
      causation === 0
        ? correlationId === undefined
          ? { type, payload, seq, ts }
          : { type, payload, seq, ts, correlationId }
        : correlationId === undefined
          ? { type, payload, seq, ts, causationId: causation }
          : { type, payload, seq, ts, causationId: causation, correlationId }
    this.last.event = event as unknown as Envelope
    return this.last
  }

  /** Reused result object: the hot loop reads it before the next decode. */
  private readonly last: { kind: 'event'; event: Envelope } = { kind: 'event', event: undefined as unknown as Envelope }

  /** The payload, or a string saying why it is invalid. */
  private decodeTick(buf: Buffer, v: DataView, at: number, end: number): object | string {
    if (end - at < 27) return 'record too short'
    const id = v.getUint16(at, true)
    const instrumentKey = this.dict[id]
    if (instrumentKey === undefined) return `unknown instrument dictionary id ${id}`
    const presence = buf[at + 2]!
    const ltpPaise = v.getFloat64(at + 3, true)
    const lttMs = v.getFloat64(at + 11, true)
    const ltq = v.getFloat64(at + 19, true)
    if (!isSafePos(ltpPaise)) return `ltpPaise ${ltpPaise} is not a positive whole number of paise`
    if (!isSafeNonNeg(lttMs)) return `lttMs ${lttMs} is not a whole number`
    if (!isSafeNonNeg(ltq)) return `ltq ${ltq} is not a non-negative whole number`
    if (presence === 0) return { instrumentKey, ltpPaise, lttMs, ltq }
    if (end - at < 27 + 8 * popcount(presence)) return 'record too short for its optional fields'
    const payload: {
      instrumentKey: string
      ltpPaise: number
      lttMs: number
      ltq: number
      volume?: number
      oi?: number
      bidPaise?: number
      askPaise?: number
      bidQty?: number
      askQty?: number
    } = { instrumentKey, ltpPaise, lttMs, ltq }
    at += 27
    let bad = 0
    if (presence & 1) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 1
      payload.volume = x
      at += 8
    }
    if (presence & 2) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 2
      payload.oi = x
      at += 8
    }
    if (presence & 4) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 4
      payload.bidPaise = x
      at += 8
    }
    if (presence & 8) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 8
      payload.askPaise = x
      at += 8
    }
    if (presence & 16) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 16
      payload.bidQty = x
      at += 8
    }
    if (presence & 32) {
      const x = v.getFloat64(at, true)
      if (!Number.isSafeInteger(x)) bad |= 32
      payload.askQty = x
    }
    if (bad !== 0) return `${TICK_OPTIONAL[Math.log2(bad & -bad)]} is not a whole number`
    return payload
  }

  private decodeBar(buf: Buffer, v: DataView, at: number, end: number): object | string {
    if (end - at < 52) return 'record too short'
    const id = v.getUint16(at, true)
    const instrumentKey = this.dict[id]
    if (instrumentKey === undefined) return `unknown instrument dictionary id ${id}`
    const timeframe = TIMEFRAMES[buf[at + 2]!]
    if (timeframe === undefined) return `unknown timeframe code ${buf[at + 2]}`
    const flags = buf[at + 3]!
    const openMs = v.getFloat64(at + 4, true)
    const openPaise = v.getFloat64(at + 12, true)
    const highPaise = v.getFloat64(at + 20, true)
    const lowPaise = v.getFloat64(at + 28, true)
    const closePaise = v.getFloat64(at + 36, true)
    const volume = v.getFloat64(at + 44, true)
    const bad = barProblem(openMs, openPaise, highPaise, lowPaise, closePaise, volume)
    if (bad !== undefined) return bad
    if (flags === 0) return { instrumentKey, timeframe, openMs, openPaise, highPaise, lowPaise, closePaise, volume }
    const payload: Record<string, unknown> = {
      instrumentKey,
      timeframe,
      openMs,
      openPaise,
      highPaise,
      lowPaise,
      closePaise,
      volume,
    }
    if (flags & 2) {
      if (end - at < 60) return 'record too short for oi'
      const oi = v.getFloat64(at + 52, true)
      if (!isSafeNonNeg(oi)) return `oi ${oi} is not a non-negative whole number`
      payload.oi = oi
    }
    if (flags & 1) payload.afterGap = true
    return payload
  }
  /**
   * Bar `j` of a block (its header from `decode`), checked as a bar record is: into `barView` when transient, else a
   * new envelope of the shape a bar record reads back as.
   */
  blockBar(v: DataView, h: BlockHeader, j: number): Extract<DecodeResult, { kind: 'event' | 'error' }> {
    const seq = h.firstSeq + j
    const id = v.getUint16(h.keys + 2 * j, true)
    const instrumentKey = this.dict[id]
    if (instrumentKey === undefined) return decodeError(seq, 'BarClosed', `unknown instrument dictionary id ${id}`)
    const n8 = 8 * h.count
    const at = h.cols + 8 * j
    const ts = v.getFloat64(at, true)
    const openMs = v.getFloat64(at + n8, true)
    const openPaise = v.getFloat64(at + 2 * n8, true)
    const highPaise = v.getFloat64(at + 3 * n8, true)
    const lowPaise = v.getFloat64(at + 4 * n8, true)
    const closePaise = v.getFloat64(at + 5 * n8, true)
    const volume = v.getFloat64(at + 6 * n8, true)
    const oi = h.hasOi ? v.getFloat64(at + 7 * n8, true) : 0
    if (!isSafeNonNeg(ts)) return decodeError(seq, 'BarClosed', `ts ${ts} is not a whole number of epoch milliseconds`)
    const bad = barProblem(openMs, openPaise, highPaise, lowPaise, closePaise, volume)
    if (bad !== undefined) return decodeError(seq, 'BarClosed', bad)
    if (!isSafeNonNeg(oi)) return decodeError(seq, 'BarClosed', `oi ${oi} is not a non-negative whole number`)
    const timeframe = TIMEFRAMES[h.timeframeCode]!
    if (this.transient) {
      const view = this.barView
      const p = view.payload
      p.instrumentKey = instrumentKey
      p.timeframe = timeframe
      p.openMs = openMs
      p.openPaise = openPaise
      p.highPaise = highPaise
      p.lowPaise = lowPaise
      p.closePaise = closePaise
      p.volume = volume
      p.oi = oi > 0 ? oi : undefined
      p.afterGap = undefined
      view.seq = seq
      view.ts = ts
      view.causationId = undefined
      view.correlationId = undefined
      this.last.event = view as unknown as Envelope
      return this.last
    }
    const payload =
      oi > 0
        ? { instrumentKey, timeframe, openMs, openPaise, highPaise, lowPaise, closePaise, volume, oi }
        : { instrumentKey, timeframe, openMs, openPaise, highPaise, lowPaise, closePaise, volume }
    this.last.event = { type: 'BarClosed', payload, seq, ts } as unknown as Envelope
    return this.last
  }

  /** Transient decode of a tick into `tickView`; returns why it is invalid, or undefined. */
  private fillTick(buf: Buffer, v: DataView, at: number, end: number): string | undefined {
    if (end - at < 27) return 'record too short'
    const id = v.getUint16(at, true)
    const key = this.dict[id]
    if (key === undefined) return `unknown instrument dictionary id ${id}`
    const presence = buf[at + 2]!
    if (end - at < 27 + 8 * popcount(presence)) return 'record too short for its optional fields'
    const p = this.tickView.payload
    p.instrumentKey = key
    p.ltpPaise = v.getFloat64(at + 3, true)
    p.lttMs = v.getFloat64(at + 11, true)
    p.ltq = v.getFloat64(at + 19, true)
    if (!isSafePos(p.ltpPaise)) return `ltpPaise ${p.ltpPaise} is not a positive whole number of paise`
    if (!isSafeNonNeg(p.lttMs)) return `lttMs ${p.lttMs} is not a whole number`
    if (!isSafeNonNeg(p.ltq)) return `ltq ${p.ltq} is not a non-negative whole number`
    at += 27
    let x: number
    if (presence & 1) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `volume ${x} is not a whole number`
      p.volume = x
      at += 8
    } else p.volume = undefined
    if (presence & 2) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `oi ${x} is not a whole number`
      p.oi = x
      at += 8
    } else p.oi = undefined
    if (presence & 4) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `bidPaise ${x} is not a whole number`
      p.bidPaise = x
      at += 8
    } else p.bidPaise = undefined
    if (presence & 8) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `askPaise ${x} is not a whole number`
      p.askPaise = x
      at += 8
    } else p.askPaise = undefined
    if (presence & 16) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `bidQty ${x} is not a whole number`
      p.bidQty = x
      at += 8
    } else p.bidQty = undefined
    if (presence & 32) {
      if (!Number.isSafeInteger((x = v.getFloat64(at, true)))) return `askQty ${x} is not a whole number`
      p.askQty = x
    } else p.askQty = undefined
    return undefined
  }

  /** Transient decode of a bar into `barView`; returns why it is invalid, or undefined. */
  private fillBar(buf: Buffer, v: DataView, at: number, end: number): string | undefined {
    if (end - at < 52) return 'record too short'
    const id = v.getUint16(at, true)
    const key = this.dict[id]
    if (key === undefined) return `unknown instrument dictionary id ${id}`
    const timeframe = TIMEFRAMES[buf[at + 2]!]
    if (timeframe === undefined) return `unknown timeframe code ${buf[at + 2]}`
    const flags = buf[at + 3]!
    const p = this.barView.payload
    p.instrumentKey = key
    p.timeframe = timeframe
    p.openMs = v.getFloat64(at + 4, true)
    p.openPaise = v.getFloat64(at + 12, true)
    p.highPaise = v.getFloat64(at + 20, true)
    p.lowPaise = v.getFloat64(at + 28, true)
    p.closePaise = v.getFloat64(at + 36, true)
    p.volume = v.getFloat64(at + 44, true)
    const bad = barProblem(p.openMs, p.openPaise, p.highPaise, p.lowPaise, p.closePaise, p.volume)
    if (bad !== undefined) return bad
    if (flags & 2) {
      if (end - at < 60) return 'record too short for oi'
      const oi = v.getFloat64(at + 52, true)
      if (!isSafeNonNeg(oi)) return `oi ${oi} is not a non-negative whole number`
      p.oi = oi
    } else p.oi = undefined
    p.afterGap = flags & 1 ? true : undefined
    return undefined
  }
}

export type { Timeframe }

const popcount = (n: number): number => {
  let c = 0
  for (let x = n; x !== 0; x &= x - 1) c++
  return c
}

const decodeError = (
  seq: number | undefined,
  type: string,
  reason: string,
): Extract<DecodeResult, { kind: 'error' }> => ({
  kind: 'error',
  seq,
  type,
  reason,
})

const readScalarRecord = (
  texts: TextCache,
  buf: Buffer,
  v: DataView,
  start: number,
  end: number,
): { readonly record: Record<string, unknown>; readonly end: number } | string => {
  const n = v.getUint16(start, true)
  const record: Record<string, unknown> = {}
  let at = start + 2
  const text = (from: number, to: number): string | undefined => texts.read(buf, from, to)
  for (let e = 0; e < n; e++) {
    if (at + 2 > end) return 'record ends inside an entry'
    const keyLen = v.getUint16(at, true)
    if (at + 2 + keyLen + 1 > end) return 'record ends inside an entry'
    const key = text(at + 2, at + 2 + keyLen)
    if (key === undefined) return 'record key is not valid UTF-8'
    at += 2 + keyLen
    const kind = buf[at]!
    if (kind === KIND_N) {
      if (at + 9 > end) return 'record ends inside an entry'
      record[key] = v.getFloat64(at + 1, true)
      at += 9
    } else if (kind === KIND_B) {
      if (at + 2 > end || buf[at + 1]! > 1) return `record entry ${key} is not a boolean`
      record[key] = buf[at + 1] === 1
      at += 2
    } else if (kind === KIND_S) {
      if (at + 5 > end) return 'record ends inside an entry'
      const len = v.getUint32(at + 1, true)
      if (at + 5 + len > end) return 'record ends inside an entry'
      const value = text(at + 5, at + 5 + len)
      if (value === undefined) return `record entry ${key} is not valid UTF-8`
      record[key] = value
      at += 5 + len
    } else return `record entry ${key} of unknown kind ${kind}`
  }
  return { record, end: at }
}

/** A flat payload read by its segment's layout and checked by its event's codec; a string says why it is invalid. */
const decodeFlatPayload = (
  type: string,
  fields: FieldList,
  texts: TextCache,
  buf: Buffer,
  v: DataView,
  start: number,
  end: number,
): unknown => {
  if (end - start < 4) return 'flat record too short for its presence mask'
  const presence = v.getUint32(start, true)
  const { names, kinds } = fields
  if (names.length < 32 && presence >>> names.length !== 0) return 'flat record marks fields its layout does not have'
  const payload: Record<string, unknown> = {}
  let at = start + 4
  for (let i = 0; i < names.length; i++) {
    if ((presence & (1 << i)) === 0) continue
    const kind = kinds[i]!
    const width = kind === 'n' ? 8 : kind === 'b' ? 1 : kind === 'r' ? 2 : 4
    if (at + width > end) return `flat record ends inside field ${names[i]}`
    if (kind === 'r') {
      const read = readScalarRecord(texts, buf, v, at, end)
      if (typeof read === 'string') return `field ${names[i]}: ${read}`
      payload[names[i]!] = read.record
      at = read.end
    } else if (kind === 'n') {
      payload[names[i]!] = v.getFloat64(at, true)
      at += 8
    } else if (kind === 'b') {
      const b = buf[at]!
      if (b > 1) return `field ${names[i]} holds ${b}, not a boolean`
      payload[names[i]!] = b === 1
      at += 1
    } else {
      const len = v.getUint32(at, true)
      if (at + 4 + len > end) return `flat record ends inside field ${names[i]}`
      const text = texts.read(buf, at + 4, at + 4 + len)
      if (text === undefined) return `field ${names[i]} is not valid UTF-8`
      if (kind === 's') payload[names[i]!] = text
      else {
        try {
          payload[names[i]!] = JSON.parse(text)
        } catch (e) {
          return `field ${names[i]} is not JSON: ${(e as Error).message}`
        }
      }
      at += 4 + len
    }
  }
  if (at !== end) return 'flat record has bytes after its fields'
  return checkedPayload(type, payload)
}

/**
 * `payload` if it passes its event's codec, else why not. The guard first: it allocates nothing, and no codec here
 * converts on decode, so a payload it passes is the decoded one; `decode` runs only to word a refusal.
 */
const checkedPayload = (type: string, payload: unknown): unknown => {
  const codec = CODEC_BY_TYPE.get(type)!
  const wrapped = { type, payload }
  if (codec.is(wrapped)) return payload
  const decoded = codec.decode(wrapped)
  return E.isLeft(decoded) ? reportErrors(decoded.left) : payload
}

/** A JSON-encoded payload checked by its event's codec; a string says why it is invalid. */
const decodeJsonPayload = (type: string, buf: Buffer, start: number, end: number): unknown => {
  let payload: unknown
  try {
    payload = JSON.parse(buf.toString('utf8', start, end))
  } catch (e) {
    return `payload is not JSON: ${(e as Error).message}`
  }
  return checkedPayload(type, payload)
}

export type { EventType }
