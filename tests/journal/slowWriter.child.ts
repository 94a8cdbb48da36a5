import * as readline from 'node:readline'
import * as E from 'fp-ts/lib/Either.js'
import { describeJournalError, openFileJournal } from '../../src/journal/index.js'
import { draftsFor } from '../../src/journal/journal.fixtures.js'

// A slow writer for the tail tests: opens the journal at argv[2] (segment size argv[5]), prints `ready <lastSeq>`,
// waits for `go` on stdin, then appends argv[3] batches of `draftForSeq` events argv[4] ms apart, printing
// `ack <firstSeq> <lastSeq>` after each, and finally `done` once the journal is closed.

const [dir, batchesArg, intervalArg, segmentBytesArg] = process.argv.slice(2)
if (dir === undefined) throw new Error('usage: slowWriter.child.ts <dir> <batches> <intervalMs> [segmentBytes]')
const batches = Number(batchesArg ?? 5)
const intervalMs = Number(intervalArg ?? 100)
const opened = openFileJournal(dir, { segmentBytes: Number(segmentBytesArg ?? 1 << 20) })
if (E.isLeft(opened)) {
  process.stderr.write(`open failed: ${describeJournalError(opened.left)}\n`)
  process.exit(2)
}
const journal = opened.right
process.stdout.write(`ready ${journal.lastSeq()}\n`)

const lines = readline.createInterface({ input: process.stdin })
for await (const line of lines) {
  if (line.trim() === 'go') break
}
lines.close()

for (let b = 0; b < batches; b++) {
  if (b > 0) await new Promise((r) => setTimeout(r, intervalMs))
  const first = journal.lastSeq() + 1
  const r = await journal.append(draftsFor(first, 20 + 7 * b), { expectedLastSeq: first - 1 })
  if (E.isLeft(r)) {
    process.stderr.write(`append failed: ${describeJournalError(r.left)}\n`)
    process.exit(3)
  }
  process.stdout.write(`ack ${r.right.firstSeq} ${r.right.lastSeq}\n`)
}
await journal.close()
process.stdout.write('done\n')
