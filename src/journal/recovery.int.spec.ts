import * as fs from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'
import { openFileJournal, openJournalReader } from './fileJournal.js'
import {
  appendToFile,
  draftsFor,
  envelopesOf,
  orderRequested,
  patchFile,
  prng,
  range,
  readAll,
  recordingLog,
  removeDir,
  scanAll,
  seqsOf,
  tempDir,
  tick,
  unwrap,
  walkFrames,
} from './journal.fixtures.js'
import type { AppendAck } from './journal.js'
import { describeJournalError, type JournalError } from './journalErrors.js'
import { KIND_BATCH, KIND_FLAT } from './recordCodec.js'
import { encodeHeader, listSegments } from './segmentFiles.js'

const dirs: string[] = []
const freshDir = (): string => {
  const d = tempDir('recovery')
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

interface Written {
  readonly acks: AppendAck[]
  /** Size of the (only) segment file after each append. */
  readonly sizes: number[]
  readonly segment: string
}

/** Writes batches of `draftForSeq` events of the given sizes into a one-segment journal, and closes it. */
const writeJournal = async (dir: string, batchSizes: readonly number[]): Promise<Written> => {
  const journal = unwrap(openFileJournal(dir))
  const acks: AppendAck[] = []
  const sizes: number[] = []
  let seq = 1
  for (const n of batchSizes) {
    acks.push(unwrap(await journal.append(draftsFor(seq, n))))
    sizes.push(fs.statSync(listSegments(dir)[0]!.path).size)
    seq += n
  }
  await journal.close()
  return { acks, sizes, segment: listSegments(dir)[0]!.path }
}

const leftOf = <A>(e: E.Either<JournalError, A>): JournalError => {
  if (E.isRight(e)) throw new Error(`expected a Left, got ${JSON.stringify(e.right)}`)
  return e.left
}

/**
 * Ways the last append can be left on disk by a crash. Each gets the segment, the offset where the last batch starts
 * and that batch's bytes, and rewrites the file's tail.
 */
const tears: { what: string; tear: (segment: string, at: number, batch: Buffer) => void }[] = [
  {
    what: 'the first 20 bytes of a batch (a cut batch header)',
    tear: (seg, at, batch) => {
      fs.truncateSync(seg, at)
      appendToFile(seg, batch.subarray(0, 20))
    },
  },
  {
    what: 'zero-filled bytes (size extended, data never written: delayed allocation)',
    tear: (seg, at, batch) => {
      fs.truncateSync(seg, at)
      appendToFile(seg, Buffer.alloc(batch.length))
    },
  },
  {
    what: 'random garbage',
    tear: (seg, at, batch) => {
      const rnd = prng(7)
      fs.truncateSync(seg, at)
      appendToFile(seg, Buffer.from(Array.from({ length: batch.length }, () => Math.floor(rnd() * 256))))
    },
  },
  {
    what: 'a whole batch header and a record cut in the middle',
    tear: (seg, at, batch) => fs.truncateSync(seg, at + batch.length - 30),
  },
  {
    what: 'a whole batch header, then zeros where the rest of the batch should be',
    tear: (seg, at, batch) => {
      fs.truncateSync(seg, at)
      appendToFile(seg, Buffer.concat([batch.subarray(0, 60), Buffer.alloc(batch.length - 60)]))
    },
  },
  {
    what: 'a whole batch whose last record is garbled (a torn sector)',
    tear: (seg, at, batch) => {
      const garbled = Buffer.from(batch)
      garbled.fill(0xa5, garbled.length - 20)
      fs.truncateSync(seg, at)
      appendToFile(seg, garbled)
    },
  },
]

describe('recovery of a torn final batch', () => {
  it.each(tears)('cuts off $what with a warning, and the journal goes on', async ({ tear }) => {
    // given a journal of 40 batches whose last append (30 events) was torn by a crash
    const dir = freshDir()
    const w = await writeJournal(dir, [...range(1, 39).map((i) => 1 + ((i * 37) % 60)), 30])
    const goodEnd = w.sizes.at(-2)!
    const lastGood = w.acks.at(-2)!.lastSeq
    const batch = fs.readFileSync(w.segment).subarray(goodEnd)
    expect(batch.length).toBe(w.sizes.at(-1)! - goodEnd)
    tear(w.segment, goodEnd, batch)

    // when the journal is reopened for writing
    const log = recordingLog()
    const journal = unwrap(openFileJournal(dir, { log: log.log }))

    // then the torn bytes are cut off, with a warning naming the segment and the offset, and nothing else is lost
    expect(log.warnings()).toHaveLength(1)
    expect(log.warnings()[0]!.msg).toBe('torn final batch cut off')
    expect(log.warnings()[0]!.fields).toMatchObject({ segment: w.segment, offset: goodEnd, lastSeq: lastGood })
    expect(fs.statSync(w.segment).size).toBe(goodEnd)
    expect(journal.lastSeq()).toBe(lastGood)
    // and the next append gets the next seq, and everything reads back
    expect(await journal.append(draftsFor(lastGood + 1, 3))).toEqual(
      E.right({ firstSeq: lastGood + 1, lastSeq: lastGood + 3 }),
    )
    expect(await readAll(journal)).toEqual({
      events: envelopesOf(draftsFor(1, lastGood + 3), 1),
      batchSizes: expect.any(Array),
      error: undefined,
    })
    await journal.close()
    // and a second reopen finds nothing to repair
    const again = recordingLog()
    const reopened = unwrap(openFileJournal(dir, { log: again.log }))
    expect(again.warnings()).toEqual([])
    expect(reopened.lastSeq()).toBe(lastGood + 3)
    await reopened.close()
  })

  it('cuts a torn tail at the right offset when the good part of the segment spans several read chunks', async () => {
    // given a last segment of more than 4 MiB (the cursor's read chunk) of good batches, then 10 KiB of zeros
    const dir = freshDir()
    const w = await writeJournal(dir, [3, 30_000, 30_000, 5])
    const goodEnd = w.sizes.at(-1)!
    expect(goodEnd).toBeGreaterThan(4 << 20)
    appendToFile(w.segment, Buffer.alloc(10_240))

    // when the journal is reopened
    const log = recordingLog()
    const journal = unwrap(openFileJournal(dir, { log: log.log }))

    // then exactly the zeros are cut and all 60,008 events are kept
    expect(log.warnings().map((c) => c.fields)).toEqual([
      expect.objectContaining({ segment: w.segment, offset: goodEnd, cutBytes: 10_240, lastSeq: 60_008 }),
    ])
    expect(fs.statSync(w.segment).size).toBe(goodEnd)
    expect(journal.lastSeq()).toBe(60_008)
    expect(await journal.scan({}, () => {})).toEqual(E.right({ count: 60_008, lastSeq: 60_008 }))
    await journal.close()
  })

  it('a reader ignores a torn final batch and does not touch the file', async () => {
    // given a journal whose last append was cut in its middle
    const dir = freshDir()
    const w = await writeJournal(dir, [5, 5, 9])
    fs.truncateSync(w.segment, w.sizes[1]! + 40)

    // when a reader opens it
    const reader = unwrap(openJournalReader(dir))

    // then it sees the whole batches only and leaves the file as it was (repair is the writer's job)
    expect(reader.lastSeq()).toBe(10)
    expect((await readAll(reader)).events).toStrictEqual(envelopesOf(draftsFor(1, 10), 1))
    expect(fs.statSync(w.segment).size).toBe(w.sizes[1]! + 40)
    await reader.close()
  })

  it('removes a last segment cut short while it was being created', async () => {
    // given a journal with two segments, and a third segment file shorter than its header (crash during a roll)
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir, { segmentBytes: 1024 }))
    let seq = 1
    while (listSegments(dir).length < 2) {
      unwrap(await journal.append(draftsFor(seq, 20)))
      seq += 20
    }
    await journal.close()
    const stub = path.join(dir, `seg-${String(seq).padStart(20, '0')}.bahij`)
    fs.writeFileSync(stub, encodeHeader(seq).subarray(0, 10))

    // when the journal is reopened
    const log = recordingLog()
    const reopened = unwrap(openFileJournal(dir, { log: log.log, segmentBytes: 1024 }))

    // then the stub is removed with a warning and the journal continues at the next seq
    expect(log.warnings()).toEqual([
      {
        level: 'warn',
        fields: { segment: stub, bytes: 10 },
        msg: 'removing a segment file cut short while being created',
      },
    ])
    expect(reopened.lastSeq()).toBe(seq - 1)
    expect(await reopened.append(draftsFor(seq, 20))).toEqual(E.right({ firstSeq: seq, lastSeq: seq + 19 }))
    expect((await readAll(reopened)).events).toStrictEqual(envelopesOf(draftsFor(1, seq + 19), 1))
    await reopened.close()
  })
})

describe('corruption', () => {
  it('refuses to open (and does not truncate) a journal with a flipped byte in a middle batch', async () => {
    // given a journal of five batches with one byte flipped in an event record of the third
    const dir = freshDir()
    const w = await writeJournal(dir, [10, 10, 10, 10, 10])
    const victim = walkFrames(w.segment).find((f) => f.seq === 25)!
    const bytes = fs.readFileSync(w.segment)
    const at = victim.offset + 8 + victim.bodyLen - 1
    patchFile(w.segment, at, Buffer.from([bytes[at]! ^ 0x10]))
    const damaged = fs.readFileSync(w.segment)

    // when a writer opens it
    const opened = openFileJournal(dir)

    // then it fails with JournalCorrupt naming the segment, offset, seq and the failed checksum, and changes nothing
    const error = leftOf(opened)
    expect(error).toMatchObject({ _tag: 'JournalCorrupt', path: w.segment, offset: victim.offset, seq: 25 })
    expect(describeJournalError(error)).toBe(
      `journal corrupt at ${w.segment} offset ${victim.offset} (seq 25): record seq 25 fails its checksum`,
    )
    expect(fs.readFileSync(w.segment).equals(damaged)).toBe(true)
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false)

    // and a reader's read ends with a Left naming seq 25 and the checksum, after nothing but events before it
    const reader = unwrap(openJournalReader(dir))
    const back = await readAll(reader)
    expect(back.error).toMatchObject({ _tag: 'JournalCorrupt', seq: 25 })
    expect(describeJournalError(back.error!)).toMatch(/seq 25.*checksum/)
    expect(seqsOf(back.events)).toEqual(range(1, back.events.length))
    expect(back.events.length).toBeLessThan(25)
    // and scan visits exactly the events before it, then fails the same way
    const scanned = await scanAll(reader)
    expect(seqsOf(scanned.events)).toEqual(range(1, 24))
    expect(E.isLeft(scanned.result) && scanned.result.left).toMatchObject({ _tag: 'JournalCorrupt', seq: 25 })
    // and reads that do not reach the damage still work
    expect((await readAll(reader, { from: 1, to: 20 })).events).toStrictEqual(envelopesOf(draftsFor(1, 20), 1))
    expect((await readAll(reader, { from: 31 })).events).toStrictEqual(envelopesOf(draftsFor(31, 20), 31))
    await reader.close()
  })

  it('refuses to open a journal with a damaged batch header in the middle', async () => {
    // given a journal of four batches whose third batch header has a flipped bit in its event count
    const dir = freshDir()
    const w = await writeJournal(dir, [4, 4, 4, 4])
    const header = walkFrames(w.segment).filter((f) => f.kind === KIND_BATCH)[2]!
    expect(header.batch).toEqual({ count: 4, firstSeq: 9, bytes: expect.any(Number) })
    patchFile(w.segment, header.offset + 8 + 1, Buffer.from([4 ^ 0x40]))

    // when a writer opens it
    const error = leftOf(openFileJournal(dir))

    // then it is JournalCorrupt at that header, and the file keeps all four batches
    expect(error).toMatchObject({ _tag: 'JournalCorrupt', offset: header.offset, seq: 9 })
    expect(describeJournalError(error)).toContain('expected a batch header')
    expect(fs.statSync(w.segment).size).toBe(w.sizes.at(-1))
  })

  it('reports damage in an earlier segment when reading through it', async () => {
    // given a journal of several segments with a byte flipped in a record of the first
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir, { segmentBytes: 2048 }))
    for (let b = 0; b < 12; b++) unwrap(await journal.append(draftsFor(b * 10 + 1, 10)))
    await journal.close()
    const first = listSegments(dir)[0]!.path
    expect(listSegments(dir).length).toBeGreaterThan(2)
    const victim = walkFrames(first).find((f) => f.seq === 13)!
    const at = victim.offset + 8 + 3
    patchFile(first, at, Buffer.from([fs.readFileSync(first)[at]! ^ 0xff]))

    // when the journal is read and scanned
    const reader = unwrap(openJournalReader(dir))
    const back = await readAll(reader)
    const scanned = await scanAll(reader)

    // then both stop at seq 13 naming the checksum, and a read of a later segment is unaffected
    expect(back.error).toMatchObject({ _tag: 'JournalCorrupt', path: first, seq: 13 })
    expect(describeJournalError(back.error!)).toContain('record seq 13 fails its checksum')
    expect(seqsOf(scanned.events)).toEqual(range(1, 12))
    expect(E.isLeft(scanned.result) && scanned.result.left).toMatchObject({ _tag: 'JournalCorrupt', seq: 13 })
    const lastSegStart = listSegments(dir).at(-1)!.firstSeq
    expect((await readAll(reader, { from: lastSegStart })).events).toStrictEqual(
      envelopesOf(draftsFor(lastSegStart, 121 - lastSegStart), lastSegStart),
    )
    await reader.close()
  })

  it('reports a missing segment as a gap in the seqs', async () => {
    // given a journal of several segments with a middle one deleted
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir, { segmentBytes: 1024 }))
    for (let b = 0; b < 10; b++) unwrap(await journal.append(draftsFor(b * 10 + 1, 10)))
    await journal.close()
    const segments = listSegments(dir)
    expect(segments.length).toBeGreaterThan(3)
    fs.unlinkSync(segments[1]!.path)

    // when it is read from the start
    const back = await readAll(unwrap(openJournalReader(dir)))

    // then the read delivers the first segment and fails at the start of the third, naming the missing seq
    expect(seqsOf(back.events)).toEqual(range(1, segments[1]!.firstSeq - 1))
    expect(back.error).toMatchObject({ _tag: 'JournalCorrupt', path: segments[2]!.path, seq: segments[1]!.firstSeq })
    expect(describeJournalError(back.error!)).toContain(
      `segment starts at seq ${segments[2]!.firstSeq} but the previous one ended before seq ${segments[1]!.firstSeq}`,
    )
  })

  it('gives EventUndecodable naming the seq, type and reason for a flat event that fails its codec', async () => {
    // given a journal whose order event at seq 7 was rewritten (with a valid checksum) to say side "BYE"
    const dir = freshDir()
    const journal = unwrap(openFileJournal(dir))
    unwrap(await journal.append(draftsFor(1, 5)))
    unwrap(await journal.append([tick(), orderRequested({ orderId: 'ord-7', side: 'BUY' }), tick()]))
    unwrap(await journal.append(draftsFor(9, 5)))
    await journal.close()
    const segment = listSegments(dir)[0]!.path
    const frame = walkFrames(segment).find((f) => f.seq === 7)!
    expect(frame.kind).toBe(KIND_FLAT)
    const buf = fs.readFileSync(segment)
    const body = frame.offset + 8
    // The side is a length-prefixed string: u32 3, then "BUY".
    const side = buf.indexOf(Buffer.from([3, 0, 0, 0, ...Buffer.from('BUY')]), body)
    expect(side).toBeGreaterThan(body)
    expect(side).toBeLessThan(body + frame.bodyLen)
    buf.write('BYE', side + 4, 'utf8')
    buf.writeUInt32LE(crc32c(buf, body, body + frame.bodyLen), frame.offset + 4)
    fs.writeFileSync(segment, buf)

    // when it is read and scanned
    const reader = unwrap(openJournalReader(dir))
    const back = await readAll(reader)
    const scanned = await scanAll(reader)

    // then both fail with EventUndecodable at seq 7, saying which field is wrong
    expect(back.error).toMatchObject({ _tag: 'EventUndecodable', seq: 7, type: 'OrderRequested' })
    expect(back.error).toMatchObject({ reason: expect.stringContaining('side') })
    expect(describeJournalError(back.error!)).toMatch(/^event seq 7 \(OrderRequested\) fails its codec: .*BYE/)
    expect(seqsOf(scanned.events)).toEqual(range(1, 6))
    expect(E.isLeft(scanned.result) && scanned.result.left).toMatchObject({ _tag: 'EventUndecodable', seq: 7 })
    // and the events around it still read
    expect((await readAll(reader, { from: 8 })).events).toStrictEqual(envelopesOf([tick(), ...draftsFor(9, 5)], 8))
    await reader.close()
  })
})

describe('foreign files', () => {
  it('refuses a CSV renamed to a segment with NotAJournal, for writers and readers', () => {
    // given a directory holding a CSV under a segment's name
    const dir = freshDir()
    const fake = path.join(dir, 'seg-00000000000000000001.bahij')
    fs.writeFileSync(fake, 'date,open,high,low,close\n2024-01-02,2450.10,2460.00,2445.00,2455.00\n')

    // when it is opened as a journal
    const asWriter = leftOf(openFileJournal(dir))
    const asReader = leftOf(openJournalReader(dir))

    // then both say the file is not a journal segment, and the writer left no LOCK behind
    const want = { _tag: 'NotAJournal', path: fake, reason: 'bad magic: not a bahi journal segment' }
    expect(asWriter).toEqual(want)
    expect(asReader).toEqual(want)
    expect(describeJournalError(asWriter)).toBe(`${fake} is not a bahi journal: bad magic: not a bahi journal segment`)
    expect(fs.existsSync(path.join(dir, 'LOCK'))).toBe(false)
  })

  it('refuses a segment file shorter than a header, or of another format version', () => {
    // given two directories: one with a 9-byte "segment", one with a segment of format version 4
    const short = freshDir()
    fs.writeFileSync(path.join(short, 'seg-00000000000000000001.bahij'), 'a,b,c\n1,2')
    const future = freshDir()
    const h = encodeHeader(1)
    h.writeUInt32LE(4, 8)
    h.writeUInt32LE(crc32c(h, 0, 24), 24)
    fs.writeFileSync(path.join(future, 'seg-00000000000000000001.bahij'), h)

    // when they are opened
    const a = leftOf(openFileJournal(short))
    const b = leftOf(openFileJournal(future))

    // then each is NotAJournal with its reason
    expect(a).toMatchObject({ _tag: 'NotAJournal', reason: 'file is 9 bytes, shorter than a segment header' })
    expect(b).toMatchObject({
      _tag: 'NotAJournal',
      reason: 'unsupported journal format version 4 (this build reads 1 to 3)',
    })
  })

  it('refuses a plain file path with NotAJournal saying a journal is a directory', () => {
    // given a regular file
    const dir = freshDir()
    const file = path.join(dir, 'prices.csv')
    fs.writeFileSync(file, 'date,close\n2024-01-02,2455.00\n')

    // when it is passed as the journal path
    const asWriter = leftOf(openFileJournal(file))
    const asReader = leftOf(openJournalReader(file))

    // then both refuse it, naming the path and why, and the file is untouched
    const want = {
      _tag: 'NotAJournal',
      path: file,
      reason: 'it is a file; a journal is a directory of seg-*.bahij segment files',
    }
    expect(asWriter).toEqual(want)
    expect(asReader).toEqual(want)
    expect(fs.readFileSync(file, 'utf8')).toBe('date,close\n2024-01-02,2455.00\n')
  })

  it('refuses a directory of other files, and a reader refuses a missing or empty directory', () => {
    // given a directory of CSVs, an empty directory and a path that does not exist
    const data = freshDir()
    fs.writeFileSync(path.join(data, 'ticks.csv'), 'x\n')
    const empty = freshDir()
    const missing = path.join(freshDir(), 'nope')

    // when they are opened
    const writerOnData = leftOf(openFileJournal(data))
    const readerOnEmpty = leftOf(openJournalReader(empty))
    const readerOnMissing = leftOf(openJournalReader(missing))

    // then each is NotAJournal with a reason that says what is wrong, and nothing was created
    expect(writerOnData).toEqual({ _tag: 'NotAJournal', path: data, reason: 'directory holds other files (ticks.csv)' })
    expect(readerOnEmpty).toEqual({ _tag: 'NotAJournal', path: empty, reason: 'no seg-*.bahij segment files in it' })
    expect(readerOnMissing).toEqual({ _tag: 'NotAJournal', path: missing, reason: 'no such file or directory' })
    expect(fs.readdirSync(data)).toEqual(['ticks.csv'])
    expect(fs.existsSync(missing)).toBe(false)
  })
})
