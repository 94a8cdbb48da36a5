import * as fs from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { openFileJournal } from '../../src/journal/index.js'
import {
  copyEnvelope,
  draftForSeq,
  envelopeOf,
  prng,
  recordingLog,
  removeDir,
  sleep,
  tempDir,
} from '../../src/journal/journal.fixtures.js'
import { describeJournalError } from '../../src/journal/journalErrors.js'
import { listSegments } from '../../src/journal/segmentFiles.js'
import { startChild } from './childProcess.js'

// The crash test: a child process appends `draftForSeq` events as fast as it can and reports each acknowledged
// append; it is SIGKILLed at a random moment, again and again, in the same directory. After each kill the parent
// reopens the journal and checks that nothing acknowledged was lost and that everything there is whole and right.

const ITERATIONS = 24
const SEGMENT_BYTES = 256 << 10
const seed = Number(process.env.BAHI_KILL_SEED ?? Date.now() % 1_000_000)

const dir = tempDir('kill9')
afterAll(() => removeDir(dir))

interface Verified {
  readonly lastSeq: number
  readonly mismatches: string[]
}

/**
 * Reopens the journal and checks it: gap-free seqs 1..lastSeq, every event decodes, and the events from
 * `checkContentFrom` on are exactly what the writer makes for their seq.
 */
const verify = async (checkContentFrom: number): Promise<Verified & { warnings: number; stalePid: unknown }> => {
  const log = recordingLog()
  const opened = openFileJournal(dir, { log: log.log, segmentBytes: SEGMENT_BYTES })
  if (E.isLeft(opened)) throw new Error(`reopen failed: ${describeJournalError(opened.left)}`)
  const journal = opened.right
  const mismatches: string[] = []
  let expected = 1
  try {
    for await (const batch of journal.read()) {
      if (E.isLeft(batch)) {
        mismatches.push(`read failed: ${describeJournalError(batch.left)}`)
        break
      }
      for (const e of batch.right) {
        if (e.seq !== expected) {
          mismatches.push(`seq ${e.seq} where ${expected} was expected`)
          return { lastSeq: journal.lastSeq(), mismatches, warnings: 0, stalePid: undefined }
        }
        if (e.seq >= checkContentFrom && !isDeepStrictEqual(copyEnvelope(e), envelopeOf(draftForSeq(e.seq), e.seq))) {
          if (mismatches.length < 5) mismatches.push(`seq ${e.seq}: ${JSON.stringify(e)}`)
        }
        expected++
      }
    }
    if (expected - 1 !== journal.lastSeq())
      mismatches.push(`read ended at ${expected - 1}, lastSeq ${journal.lastSeq()}`)
    const stale = log.warnings().find((w) => w.msg === 'took over the lock of a writer that is gone')
    return {
      lastSeq: journal.lastSeq(),
      mismatches,
      warnings: log.warnings().filter((w) => w.msg === 'torn final batch cut off').length,
      stalePid: stale?.fields.stalePid,
    }
  } finally {
    await journal.close()
  }
}

describe('kill -9 of a writer', () => {
  it(`loses no acknowledged append and leaves a whole, gap-free journal (seed ${seed})`, async () => {
    const rnd = prng(seed)
    let verifiedUpTo = 0
    let maxAcked = 0
    let itersWithAcks = 0
    let tornCuts = 0
    for (let i = 0; i < ITERATIONS; i++) {
      // given a writer appending continuously
      const child = startChild('killWriter.child.ts', [dir, String(SEGMENT_BYTES)])
      const early = i % 6 === 5
      if (early) {
        // sometimes while it is still starting up or recovering
        await sleep(rnd() * 400)
      } else {
        const ready = await child.waitForLine((l) => l.startsWith('ready '))
        expect(Number(ready.split(' ')[1])).toBe(verifiedUpTo)
        // Wait for the first acknowledgement, so a slow start on a loaded machine cannot turn this into a kill
        // before anything was appended; then let it run a random while with appends in flight.
        await child.waitForLine((l) => l.startsWith('ack '))
        await sleep(rnd() * 120)
      }

      // when it is killed with SIGKILL at that random moment
      child.proc.kill('SIGKILL')
      const exit = await child.exited
      expect(exit, `child ended on its own: ${child.stderr()}`).toEqual({ code: null, signal: 'SIGKILL' })
      const acks = child.lines.filter((l) => l.text.startsWith('ack ')).map((l) => Number(l.text.slice(4)))
      const wasReady = child.lines.some((l) => l.text.startsWith('ready '))

      // then a reopen finds every acknowledged seq, gap-free, with the content the writer made for it
      const v = await verify(verifiedUpTo + 1)
      expect(v.mismatches, `iteration ${i}, seed ${seed}`).toEqual([])
      const acked = Math.max(0, ...acks)
      expect(v.lastSeq, `iteration ${i}: acknowledged ${acked}, found ${v.lastSeq}`).toBeGreaterThanOrEqual(acked)
      expect(v.lastSeq).toBeGreaterThanOrEqual(verifiedUpTo)
      // and acks came in order, each after the one before
      expect(acks).toEqual([...acks].sort((a, b) => a - b))
      // and the lock of the killed writer was taken over (once it had taken the lock at all)
      if (wasReady) expect(v.stalePid).toBe(child.proc.pid)
      if (acks.length > 0) itersWithAcks++
      tornCuts += v.warnings
      maxAcked = Math.max(maxAcked, acked)
      verifiedUpTo = v.lastSeq
    }

    // and finally the whole journal, across its segments, is exactly the writer's stream
    const final = await verify(1)
    expect(final.mismatches).toEqual([])
    expect(final.lastSeq).toBe(verifiedUpTo)
    // (the run did what it claims: most kills hit a writer with appends in flight, over several segments)
    expect(itersWithAcks).toBeGreaterThanOrEqual(ITERATIONS / 2)
    expect(maxAcked).toBeGreaterThan(ITERATIONS * 100)
    expect(listSegments(dir).length).toBeGreaterThan(1)
    expect(fs.existsSync(`${dir}/LOCK`)).toBe(false)
    console.info(`kill -9: ${ITERATIONS} kills, ${final.lastSeq} events, ${tornCuts} torn tails cut, seed ${seed}`)
  }, 120_000)
})
