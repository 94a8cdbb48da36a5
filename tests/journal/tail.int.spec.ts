import * as E from 'fp-ts/lib/Either.js'
import { afterEach, describe, expect, it } from 'vitest'
import type { Envelope } from '../../src/domain/events/index.js'
import { openFileJournal, openJournalReader } from '../../src/journal/index.js'
import { draftsFor, envelopesOf, range, removeDir, seqsOf, tempDir } from '../../src/journal/journal.fixtures.js'
import { describeJournalError } from '../../src/journal/journalErrors.js'
import { listSegments } from '../../src/journal/segmentFiles.js'
import { startChild } from './childProcess.js'

// Following a journal that another process is writing: the reader side of the one-writer, many-readers design.

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d)
})

const BATCHES = 5
/** The slow writer's batch sizes: 20, 27, 34, 41, 48. */
const SIZES = range(0, BATCHES - 1).map((b) => 20 + 7 * b)
const TOTAL = SIZES.reduce((a, b) => a + b, 0)

describe('tail from another process', () => {
  it('follows a slow writer in another process batch by batch, across segment rolls', async () => {
    // given a writer process that has opened a journal with 2 KiB segments and waits for "go"
    const dir = tempDir('tail')
    dirs.push(dir)
    const child = startChild('slowWriter.child.ts', [dir, String(BATCHES), '100', '2048'])
    await child.waitForLine((l) => l.startsWith('ready '))

    // (while it lives, nobody else can open the journal for writing)
    const second = openFileJournal(dir)
    expect(second).toEqual(E.left({ _tag: 'JournalLocked', path: dir, pid: child.proc.pid }))

    // when this process tails the journal from seq 1 and the writer then appends 5 batches 100 ms apart
    const reader = openJournalReader(dir)
    if (E.isLeft(reader)) throw new Error(describeJournalError(reader.left))
    const ac = new AbortController()
    const received: { events: readonly Envelope[]; at: number }[] = []
    const tailed = (async () => {
      for await (const b of reader.right.tail({ from: 1, signal: ac.signal, pollMs: 25 })) {
        if (E.isLeft(b)) throw new Error(`tail failed: ${describeJournalError(b.left)}`)
        received.push({ events: b.right, at: performance.now() })
        if (b.right.at(-1)!.seq >= TOTAL) ac.abort()
      }
    })()
    const watchdog = setTimeout(() => ac.abort(), 20_000)
    child.proc.stdin.write('go\n')
    await tailed
    clearTimeout(watchdog)
    const exit = await child.exited
    await reader.right.close()

    // then the tail delivered every event the writer appended, in order, with the writer's content
    expect(exit, child.stderr()).toEqual({ code: 0, signal: null })
    const events = received.flatMap((r) => r.events)
    expect(seqsOf(events)).toEqual(range(1, TOTAL))
    expect(events).toStrictEqual(envelopesOf(draftsFor(1, TOTAL), 1))
    // and only whole batches: every delivery ends where one of the writer's appends ended
    const ackEnds = new Set(
      child.lines.filter((l) => l.text.startsWith('ack ')).map((l) => Number(l.text.split(' ')[2])),
    )
    expect([...ackEnds].sort((a, b) => a - b)).toEqual(
      SIZES.map((_, i) => SIZES.slice(0, i + 1).reduce((a, b) => a + b)),
    )
    for (const r of received) expect(ackEnds.has(r.events.at(-1)!.seq)).toBe(true)
    // and it followed the writer live, rather than reading everything at the end
    const lastAckAt = child.lines.filter((l) => l.text.startsWith('ack ')).at(-1)!.at
    expect(received[0]!.at).toBeLessThan(lastAckAt)
    expect(received.length).toBeGreaterThanOrEqual(3)
    // across several segment files
    expect(listSegments(dir).length).toBeGreaterThanOrEqual(3)
  })

  it('a tail from the middle starts at that seq and picks up what is appended later', async () => {
    // given a journal with 50 events, written and closed by this process
    const dir = tempDir('tail-mid')
    dirs.push(dir)
    const journal = openFileJournal(dir, { segmentBytes: 2048 })
    if (E.isLeft(journal)) throw new Error(describeJournalError(journal.left))
    const first = await journal.right.append(draftsFor(1, 50))
    expect(first).toEqual(E.right({ firstSeq: 1, lastSeq: 50 }))
    await journal.right.close()

    // when a reader tails from seq 31 while another process appends 2 more batches (20 and 27 events)
    const reader = openJournalReader(dir)
    if (E.isLeft(reader)) throw new Error(describeJournalError(reader.left))
    const ac = new AbortController()
    const seqs: number[] = []
    const tailed = (async () => {
      for await (const b of reader.right.tail({ from: 31, signal: ac.signal, pollMs: 25 })) {
        if (E.isLeft(b)) throw new Error(`tail failed: ${describeJournalError(b.left)}`)
        seqs.push(...seqsOf(b.right))
        if (seqs.at(-1)! >= 97) ac.abort()
      }
    })()
    const child = startChild('slowWriter.child.ts', [dir, '2', '50', '2048'])
    await child.waitForLine((l) => l === 'ready 50')
    child.proc.stdin.write('go\n')
    const watchdog = setTimeout(() => ac.abort(), 20_000)
    await tailed
    clearTimeout(watchdog)
    await child.exited
    await reader.right.close()

    // then it saw 31..97 exactly once each, in order
    expect(seqs).toEqual(range(31, 97))
  })
})
