import Database from 'better-sqlite3'
import type { Envelope, EventDraft } from '../src/domain/events/index.js'

// The naive baseline every journal figure is printed next to: one SQLite row per event, payload as JSON, WAL mode
// with synchronous=FULL so a committed transaction is durable, as ours is.

export interface SqliteJournal {
  readonly appendBatch: (drafts: readonly EventDraft[]) => void
  readonly appendOne: (draft: EventDraft) => void
  readonly scan: (visit: (e: Envelope) => void) => number
  readonly close: () => void
}

export const openSqliteJournal = (file: string): SqliteJournal => {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec(
    'CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, type TEXT NOT NULL, causation INTEGER, correlation TEXT, payload TEXT NOT NULL)',
  )
  let seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number }).s
  const insert = db.prepare(
    'INSERT INTO events (seq, ts, type, causation, correlation, payload) VALUES (?, ?, ?, ?, ?, ?)',
  )
  const write = (d: EventDraft) =>
    insert.run(++seq, d.ts, d.type, d.causationId ?? null, d.correlationId ?? null, JSON.stringify(d.payload))
  const batch = db.transaction((drafts: readonly EventDraft[]) => {
    for (const d of drafts) write(d)
  })
  const one = db.transaction((d: EventDraft) => write(d))
  const select = db.prepare('SELECT seq, ts, type, causation, correlation, payload FROM events ORDER BY seq')
  return {
    appendBatch: (drafts) => batch(drafts),
    appendOne: (d) => one(d),
    scan: (visit) => {
      let n = 0
      for (const row of select.iterate() as IterableIterator<{
        seq: number
        ts: number
        type: string
        causation: number | null
        correlation: string | null
        payload: string
      }>) {
        const e = { type: row.type, payload: JSON.parse(row.payload), seq: row.seq, ts: row.ts } as Envelope
        visit(e)
        n++
      }
      return n
    },
    close: () => db.close(),
  }
}
