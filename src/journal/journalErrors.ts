// Every way the journal can fail, as values. Messages name the seq, file and reason so an operator can act.

export type JournalError =
  | { readonly _tag: 'NotAJournal'; readonly path: string; readonly reason: string }
  | {
      readonly _tag: 'JournalCorrupt'
      readonly path: string
      readonly offset: number
      readonly seq: number | undefined
      readonly reason: string
    }
  | { readonly _tag: 'EventUndecodable'; readonly seq: number; readonly type: string; readonly reason: string }
  | { readonly _tag: 'InvalidEvent'; readonly index: number; readonly type: string; readonly reason: string }
  | { readonly _tag: 'SeqConflict'; readonly expectedLastSeq: number; readonly actualLastSeq: number }
  | { readonly _tag: 'JournalLocked'; readonly path: string; readonly pid: number }
  | { readonly _tag: 'JournalIo'; readonly op: string; readonly path: string; readonly reason: string }
  | { readonly _tag: 'JournalClosed'; readonly reason: string }

export const describeJournalError = (e: JournalError): string => {
  switch (e._tag) {
    case 'NotAJournal':
      return `${e.path} is not a bahi journal: ${e.reason}`
    case 'JournalCorrupt':
      return `journal corrupt at ${e.path} offset ${e.offset}${e.seq === undefined ? '' : ` (seq ${e.seq})`}: ${e.reason}`
    case 'EventUndecodable':
      return `event seq ${e.seq} (${e.type}) fails its codec: ${e.reason}`
    case 'InvalidEvent':
      return `event #${e.index} of the batch (${e.type}) cannot be appended: ${e.reason}`
    case 'SeqConflict':
      return `append expected last seq ${e.expectedLastSeq} but the journal is at ${e.actualLastSeq}`
    case 'JournalLocked':
      return `journal ${e.path} is held by another writer (pid ${e.pid})`
    case 'JournalIo':
      return `journal ${e.op} failed on ${e.path}: ${e.reason}`
    case 'JournalClosed':
      return `journal is closed: ${e.reason}`
  }
}
