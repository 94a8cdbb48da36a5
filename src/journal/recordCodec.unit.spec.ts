import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { sampleEvent } from '../domain/events/events.fixtures.js'
import {
  type AppendItem,
  type BarColumns,
  barPayloadAt,
  type Envelope,
  EVENT_TYPES,
  type EventDraft,
} from '../domain/events/index.js'
import { unsafe } from '../domain/ids/index.js'
import { crc32c } from './crc32c.js'
import { bar, envelopesOf, HDFCBANK, INFY, orderRequested, RELIANCE, tick } from './journal.fixtures.js'
import {
  FRAME_BYTES,
  KIND_BAR,
  KIND_DICT,
  KIND_FLAT,
  KIND_JSON,
  KIND_LAYOUT,
  KIND_TICK,
  SegmentDecoder,
  SegmentEncoder,
} from './recordCodec.js'

/** Decodes every record of an encoded batch, checking each frame's checksum; returns what the decoder said. */
const decodeAll = (bytes: Buffer, decoder: SegmentDecoder) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: { kind: string; record: number; event?: Envelope; count?: number; firstSeq?: number }[] = []
  for (let p = 0; p < bytes.length; ) {
    const len = view.getUint32(p, true)
    const body = p + FRAME_BYTES
    expect(view.getUint32(p + 4, true)).toBe(crc32c(bytes, body, body + len))
    const r = decoder.decode(bytes, view, body, body + len)
    const record = bytes[body]!
    if (r.kind === 'event') out.push({ kind: 'event', record, event: { ...r.event } })
    else if (r.kind === 'batch') out.push({ kind: 'batch', record, count: r.count, firstSeq: r.firstSeq })
    else out.push({ kind: r.kind, record })
    p = body + len
  }
  return out
}

const encode = (encoder: SegmentEncoder, drafts: EventDraft[], firstSeq: number): Buffer => {
  const r = encoder.encodeBatch(drafts, firstSeq)
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return Buffer.from(r.right)
}

describe('record codec', () => {
  it('frames a batch as a BATCH header, one DICT record per new instrument, then the events', () => {
    // given an encoder for a new segment
    const encoder = new SegmentEncoder()
    const drafts = [tick(), tick({ instrumentKey: HDFCBANK }), bar(), orderRequested()]

    // when a batch of four events starting at seq 10 is encoded and decoded
    const frames = decodeAll(encode(encoder, drafts, 10), new SegmentDecoder())

    // then the records are: batch header, dict, tick, dict, tick, bar, the order event's layout, order event
    expect(frames.map((f) => f.kind)).toEqual(['batch', 'dict', 'event', 'dict', 'event', 'event', 'layout', 'event'])
    expect(frames[0]).toMatchObject({ kind: 'batch', count: 4, firstSeq: 10 })
    expect(frames.filter((f) => f.kind === 'event').map((f) => f.event)).toStrictEqual(envelopesOf(drafts, 10))
    expect(encoder.dictionarySize()).toBe(2)
  })

  it('round-trips correlation ids byte for byte, ASCII or not, on every record kind', () => {
    // given events whose correlation ids are plain ASCII, accented, CJK and an emoji (a surrogate pair)
    const ids = ['ord-1', 'ordre-é', '注文-7', 'run-🚀-9']
    const drafts = ids.flatMap((c) => [
      tick({ correlationId: c }),
      bar({ correlationId: c }),
      orderRequested({ correlationId: c }),
    ])

    // when they are encoded and decoded
    const frames = decodeAll(encode(new SegmentEncoder(), drafts, 1), new SegmentDecoder())

    // then each comes back with its own id
    const events = frames.filter((f) => f.kind === 'event').map((f) => f.event)
    expect(events.map((e) => e?.correlationId)).toEqual(ids.flatMap((c) => [c, c, c]))
    expect(events).toStrictEqual(envelopesOf(drafts, 1))
  })

  it('forgets the dictionary entries of a refused batch, so the next batch writes them', () => {
    // given an encoder that knows RELIANCE
    const encoder = new SegmentEncoder([RELIANCE])
    const decoder = new SegmentDecoder()
    decoder.dict.push(RELIANCE)

    // when a batch introducing INFY is refused (its second event is bad), and INFY is then used again
    const refused = encoder.encodeBatch([tick({ instrumentKey: INFY }), tick({ ltpPaise: 0 })], 1)
    const dictAfterRefusal = encoder.dictionarySize()
    const frames = decodeAll(encode(encoder, [tick({ instrumentKey: INFY })], 1), decoder)

    // then the refusal names the event and the encoder's dictionary is as before; the next batch defines INFY anew
    expect(refused).toEqual(
      E.left({ index: 1, type: 'TickReceived', reason: 'ltpPaise 0 is not a positive whole number of paise' }),
    )
    expect(dictAfterRefusal).toBe(1)
    expect(frames.map((f) => f.kind)).toEqual(['batch', 'dict', 'event'])
    expect(frames[2]!.event!.type === 'TickReceived' && frames[2]!.event!.payload.instrumentKey).toBe(INFY)
  })

  it('refuses a bar with a bad price or key, naming the field, and writes nothing of the batch', () => {
    // given an encoder, and bars each wrong in one field (the checks run once per bar, so each is asked for)
    const cases: [EventDraft, string][] = [
      [bar({ openPaise: 0 }), 'openPaise 0 is not a positive whole number of paise'],
      [bar({ highPaise: 2.5 }), 'highPaise 2.5 is not a positive whole number of paise'],
      [bar({ lowPaise: -5 }), 'lowPaise -5 is not a positive whole number of paise'],
      [bar({ closePaise: Number.NaN }), 'closePaise NaN is not a positive whole number of paise'],
      [bar({ instrumentKey: 'RELIANCE' }), 'instrumentKey "RELIANCE" is not an instrument key'],
    ]
    for (const [bad, reason] of cases) {
      const encoder = new SegmentEncoder([RELIANCE])
      // when it follows a good bar in one batch
      const r = encoder.encodeBatch([bar(), bad], 1)
      // then the refusal names the bar and the field, and no instrument was added to the dictionary
      expect(r).toEqual(E.left({ index: 1, type: 'BarClosed', reason }))
      expect(encoder.dictionarySize()).toBe(1)
    }
  })

  /** Four bars of two instruments; the third carries open interest. */
  const columns = (over: Partial<Record<'closePaise', Float64Array>> = {}): BarColumns => ({
    length: 4,
    keys: [unsafe.instrumentKey(RELIANCE), unsafe.instrumentKey(INFY)],
    timeframe: '1m',
    keyIndex: new Int32Array([0, 1, 0, 1]),
    openMs: new Float64Array([0, 0, 60_000, 60_000].map((m) => 1_735_701_300_000 + m)),
    tsMs: new Float64Array([60_000, 60_000, 120_000, 120_000].map((m) => 1_735_701_300_000 + m)),
    openPaise: new Float64Array([130_000, 190_000, 130_100, 190_050]),
    highPaise: new Float64Array([130_200, 190_100, 130_300, 190_200]),
    lowPaise: new Float64Array([129_900, 189_900, 130_000, 190_000]),
    closePaise: over.closePaise ?? new Float64Array([130_100, 190_050, 130_250, 190_100]),
    volume: new Float64Array([1200, 800, 0, 950]),
    oi: new Float64Array([0, 0, 7500, 0]),
  })

  it('encodes runs of bar rows exactly as the drafts barPayloadAt builds from them, among other drafts', () => {
    // given four bar rows, split into two runs around an order event
    const b = columns()
    const rows = (from: number, to: number): AppendItem => ({ columns: b, from, to })
    const drafts = (from: number, to: number): EventDraft[] =>
      [...Array(to - from).keys()].map((k) => ({
        type: 'BarClosed',
        ts: b.tsMs[from + k]!,
        payload: barPayloadAt(b, from + k),
      }))

    // when the runs and the same bars as drafts are encoded by fresh encoders from seq 7
    const fromRows = new SegmentEncoder().encodeBatch([rows(0, 2), orderRequested(), rows(2, 4)], 7)
    const asRows = E.isRight(fromRows) ? Buffer.from(fromRows.right) : fromRows.left
    const asDrafts = encode(new SegmentEncoder(), [...drafts(0, 2), orderRequested(), ...drafts(2, 4)], 7)

    // then the bytes are the same, the batch counts five events, and the rows decode as those drafts
    expect(asRows).toEqual(asDrafts)
    const frames = decodeAll(asDrafts, new SegmentDecoder())
    expect(frames[0]).toMatchObject({ kind: 'batch', count: 5, firstSeq: 7 })
    const bars = frames.filter((f) => f.event?.type === 'BarClosed').map((f) => f.event)
    expect(bars).toStrictEqual(envelopesOf(drafts(0, 4), 7).map((e, i) => ({ ...e, seq: i < 2 ? 7 + i : 8 + i })))
  })

  it('refuses a bad bar row by its index among the batch events, and writes nothing of the batch', () => {
    // given rows whose fourth has a close of 0, after one draft
    const encoder = new SegmentEncoder()
    const b = columns({ closePaise: new Float64Array([130_100, 190_050, 130_250, 0]) })

    // when they are encoded
    const r = encoder.encodeBatch([orderRequested(), { columns: b, from: 0, to: 4 }], 1)

    // then the refusal names event 4 (the draft is 0) and its field; no instrument stays in the dictionary
    expect(r).toEqual(
      E.left({ index: 4, type: 'BarClosed', reason: 'closePaise 0 is not a positive whole number of paise' }),
    )
    expect(encoder.dictionarySize()).toBe(0)
  })

  it('writes every event but ticks and bars as a flat record, one layout per type, and reads each back as it was', () => {
    // given a sample of every event type, twice over
    const drafts: EventDraft[] = [...EVENT_TYPES, ...EVENT_TYPES].map(
      (type, i) => ({ ...sampleEvent(type), ts: 1_735_789_500_000 + i }) as EventDraft,
    )

    // when they are encoded and decoded as one batch
    const frames = decodeAll(encode(new SegmentEncoder(), drafts, 1), new SegmentDecoder())

    // then ticks and bars have their own records, every other event a flat one, preceded once by its type's layout
    const events = frames.filter((f) => f.kind === 'event')
    expect(events.map((f) => f.record)).toEqual(
      drafts.map((d) => (d.type === 'TickReceived' ? KIND_TICK : d.type === 'BarClosed' ? KIND_BAR : KIND_FLAT)),
    )
    expect(frames.filter((f) => f.record === KIND_LAYOUT)).toHaveLength(EVENT_TYPES.length - 2)
    expect(events.map((f) => f.event)).toStrictEqual(envelopesOf(drafts, 1))
  })

  it('round-trips strings of flat records byte for byte, ASCII or not, short or long', () => {
    // given order reasons and signal metadata with accents, CJK and an emoji, under and over 24 UTF-16 units
    const reasons = ['sortie', 'ré-entrée', '注文-7', 'a long reason with an accent: prix dépassé à 10:42', 'run-🚀-9']
    const signal = sampleEvent('SignalEmitted')
    const order = orderRequested()
    const drafts = reasons.flatMap((reason) => [
      { ...order, payload: { ...(order.payload as object), reason } },
      { ...signal, ts: 1, payload: { ...signal.payload, reason, metadata: { [reason]: reason, n: -0, up: true } } },
    ]) as EventDraft[]

    // when they are encoded and decoded
    const frames = decodeAll(encode(new SegmentEncoder(), drafts, 1), new SegmentDecoder())

    // then every one is a flat record and reads back as it was (the -0 included)
    const events = frames.filter((f) => f.kind === 'event')
    expect(events.map((f) => f.record)).toEqual(drafts.map(() => KIND_FLAT))
    expect(events.map((f) => f.event)).toStrictEqual(envelopesOf(drafts, 1))
    expect(Object.is((events[1]!.event!.payload as unknown as { metadata: { n: number } }).metadata.n, -0)).toBe(true)
  })

  it('writes JSON where a flat record could not hold the payload exactly, and reads that back as it was', () => {
    // given an order event with a property its codec does not name, one with a property set to undefined, and a
    // signal whose metadata (a record: a JSON field of the flat layout) is plain
    const extra = { ...orderRequested(), payload: { ...(orderRequested().payload as object), note: 'kept by JSON' } }
    const undef = { ...orderRequested(), payload: { ...orderRequested().payload, limitPricePaise: undefined } }
    const signal = sampleEvent('SignalEmitted')
    const withMeta = { ...signal, ts: 1, payload: { ...signal.payload, metadata: { fast: 10, cross: 'up' } } }

    // when they are encoded and decoded
    const drafts = [extra, undef, withMeta] as EventDraft[]
    const frames = decodeAll(encode(new SegmentEncoder(), drafts, 1), new SegmentDecoder())

    // then the first two are JSON records, the signal a flat one, and all read back as given (JSON drops undefined)
    const events = frames.filter((f) => f.kind === 'event')
    expect(events.map((f) => f.record)).toEqual([KIND_JSON, KIND_JSON, KIND_FLAT])
    expect(events.map((f) => f.event)).toStrictEqual([
      { ...extra, seq: 1 },
      { ...orderRequested(), seq: 2 },
      { ...withMeta, seq: 3 },
    ])
  })

  it('refuses a payload that is not an object, and keeps a metadata key named __proto__ through JSON', () => {
    // given an order event whose payload is null, and a signal whose metadata has an own "__proto__" key
    const signal = sampleEvent('SignalEmitted')
    const odd = JSON.parse('{"__proto__": 1, "fast": 2}') as Record<string, number>
    const withProto = { ...signal, ts: 1, payload: { ...signal.payload, metadata: odd } } as EventDraft

    // when they are encoded
    const refused = new SegmentEncoder().encodeBatch([{ type: 'OrderSubmitted', ts: 1, payload: null } as never], 1)
    const frames = decodeAll(encode(new SegmentEncoder(), [withProto], 1), new SegmentDecoder())

    // then the first is refused with the codec's reason; the second is a JSON record that reads back with its key
    expect(refused).toMatchObject({ _tag: 'Left', left: { index: 0, type: 'OrderSubmitted' } })
    expect(E.isLeft(refused) && refused.left.reason).toContain('payload')
    const event = frames.find((f) => f.kind === 'event')!
    expect(event.record).toBe(KIND_JSON)
    const back = (event.event!.payload as { metadata: Record<string, number> }).metadata
    expect(Object.keys(back)).toEqual(['__proto__', 'fast'])
  })

  it("reads a flat record by its segment's layout, not by the codec's order of today", () => {
    // given a segment whose OrderSubmitted layout lists venue before orderId (as an older or newer build might)
    const typeId = EVENT_TYPES.indexOf('OrderSubmitted')
    const str = (s: string) => [s.length, 0, 0, 0, ...Buffer.from(s)]
    const layout = Buffer.from([KIND_LAYOUT, typeId, 2, 's'.charCodeAt(0), 5, ...Buffer.from('venue')])
    const layout2 = Buffer.concat([layout, Buffer.from(['s'.charCodeAt(0), 7, ...Buffer.from('orderId')])])
    const header = Buffer.alloc(27)
    header[0] = KIND_FLAT
    header.writeDoubleLE(9, 1)
    header.writeDoubleLE(1_735_789_500_000, 9)
    header.writeUInt16LE(0xffff, 25)
    const record = Buffer.concat([header, Buffer.from([typeId, 3, 0, 0, 0, ...str('simulated'), ...str('ord-1')])])
    const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength)
    const decoder = new SegmentDecoder()

    // when the layout and then the record are decoded
    expect(decoder.decode(layout2, view(layout2), 0, layout2.length)).toEqual({ kind: 'layout' })
    const r = decoder.decode(record, view(record), 0, record.length)

    // then the payload has each value under its own name
    expect(r.kind === 'event' && r.event.payload).toEqual({ orderId: 'ord-1', venue: 'simulated' })
    // and without a layout, or in a version 1 segment, the same record is an error that says so
    expect(new SegmentDecoder().decode(record, view(record), 0, record.length)).toMatchObject({
      kind: 'error',
      reason: 'OrderSubmitted record before any layout for its type',
    })
    expect(new SegmentDecoder(false, 1).decode(layout2, view(layout2), 0, layout2.length)).toMatchObject({
      kind: 'error',
      reason: 'layout record in a version 1 segment',
    })
    // and a layout naming a field "__proto__" (which would set the payload's prototype) is refused
    const proto = Buffer.from([KIND_LAYOUT, typeId, 1, 'j'.charCodeAt(0), 9, ...Buffer.from('__proto__')])
    expect(new SegmentDecoder().decode(proto, view(proto), 0, proto.length)).toMatchObject({
      kind: 'error',
      reason: 'layout field name "__proto__" is not a property name',
    })
  })

  it('reports unknown record kinds and out-of-order dictionary ids as errors, not events', () => {
    // given a DICT record for id 1 when the decoder's dictionary is empty, and a record of kind 99
    const decoder = new SegmentDecoder()
    const dict = Buffer.concat([Buffer.from([KIND_DICT, 1, 0]), Buffer.from(RELIANCE)])
    const unknown = Buffer.from([99, 0, 0, 0])
    const view = (b: Buffer) => new DataView(b.buffer, b.byteOffset, b.byteLength)

    // when they are decoded
    const a = decoder.decode(dict, view(dict), 0, dict.length)
    const b = decoder.decode(unknown, view(unknown), 0, unknown.length)

    // then both are errors that say what is wrong
    expect(a).toEqual({
      kind: 'error',
      seq: undefined,
      type: 'dictionary',
      reason: 'dictionary id 1 out of order (expected 0)',
    })
    expect(b).toEqual({ kind: 'error', seq: undefined, type: 'record', reason: 'unknown record kind 99' })
  })
})
