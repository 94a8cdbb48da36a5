import * as E from 'fp-ts/lib/Either.js'
import { describeJournalError, openFileJournal } from '../../src/journal/index.js'
import { draftsFor } from '../../src/journal/journal.fixtures.js'

// A writer to be killed: opens the journal at argv[2] and appends `draftForSeq` events forever, in batches of random
// size (1..500) with up to three appends in flight (so group commit is exercised too). Prints `ready <lastSeq>` once
// the journal is open and `ack <lastSeq>` after each append promise resolves, i.e. once that batch is durable.

const [dir, segmentBytesArg] = process.argv.slice(2)
if (dir === undefined) throw new Error('usage: killWriter.child.ts <dir> [segmentBytes]')
const opened = openFileJournal(dir, { segmentBytes: Number(segmentBytesArg ?? 1 << 20) })
if (E.isLeft(opened)) {
  process.stderr.write(`open failed: ${describeJournalError(opened.left)}\n`)
  process.exit(2)
}
const journal = opened.right
let next = journal.lastSeq() + 1
process.stdout.write(`ready ${journal.lastSeq()}\n`)

const MAX_IN_FLIGHT = 3
let inFlight = 0
const pump = (): void => {
  while (inFlight < MAX_IN_FLIGHT) {
    const first = next
    const count = 1 + Math.floor(Math.random() * 500)
    next += count
    inFlight++
    void journal.append(draftsFor(first, count), { expectedLastSeq: first - 1 }).then((r) => {
      if (E.isLeft(r)) {
        process.stderr.write(`append failed: ${describeJournalError(r.left)}\n`)
        process.exit(3)
      }
      if (r.right.firstSeq !== first || r.right.lastSeq !== first + count - 1) {
        process.stderr.write(`append of ${first}..${first + count - 1} acknowledged as ${JSON.stringify(r.right)}\n`)
        process.exit(4)
      }
      // stdout is a pipe: writes to it are synchronous on Linux, so the line is out before the next append.
      process.stdout.write(`ack ${r.right.lastSeq}\n`)
      inFlight--
      pump()
    })
  }
}
pump()
