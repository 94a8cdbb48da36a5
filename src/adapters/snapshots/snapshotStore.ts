import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'

// Engine snapshots keyed by seq, stored beside the journal (`<journal>/snapshots/engine-<seq>.json`). Each file is
// written atomically (temporary file, fsync, rename) and holds the code version that made it: a snapshot from other
// code is not trusted, since the fold it summarises may have changed.

export interface SnapshotFile {
  readonly seq: number
  readonly codeVersion: string
  readonly engine: unknown
}

export interface SnapshotStore {
  /** Resolves once the file is durable, with its path. */
  readonly save: (seq: number, codeVersion: string, engine: unknown) => Promise<E.Either<string, string>>
  /** Seqs of the stored snapshots, ascending. */
  readonly list: () => number[]
  /** The newest snapshot at or before `maxSeq` whose code version matches, if any. */
  readonly latest: (maxSeq: number, codeVersion: string) => E.Either<string, SnapshotFile | undefined>
}

const NAME = /^engine-(\d{20})\.json$/

export const createSnapshotStore = (journalDir: string): SnapshotStore => {
  const dir = path.join(journalDir, 'snapshots')
  const fileOf = (seq: number) => path.join(dir, `engine-${String(seq).padStart(20, '0')}.json`)
  const list = (): number[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .flatMap((n) => {
            const m = NAME.exec(n)
            return m ? [Number(m[1])] : []
          })
          .sort((a, b) => a - b)
      : []
  return {
    list,
    save: async (seq, codeVersion, engine) => {
      try {
        // Serialised here, on the caller's thread; the write and its fsync run on libuv's (a backtest's journal
        // fsync runs beside them).
        const text = JSON.stringify({ seq, codeVersion, engine } satisfies SnapshotFile)
        await fsp.mkdir(dir, { recursive: true })
        const file = fileOf(seq)
        const tmp = `${file}.tmp`
        const handle = await fsp.open(tmp, 'w')
        try {
          await handle.writeFile(text)
          await handle.sync()
        } finally {
          await handle.close()
        }
        await fsp.rename(tmp, file)
        return E.right(file)
      } catch (e) {
        return E.left(`cannot write snapshot at seq ${seq}: ${(e as Error).message}`)
      }
    },
    latest: (maxSeq, codeVersion) => {
      const seqs = list().filter((s) => s <= maxSeq)
      for (let i = seqs.length - 1; i >= 0; i--) {
        const file = fileOf(seqs[i]!)
        let parsed: unknown
        try {
          parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
        } catch (e) {
          return E.left(`snapshot ${file} is not readable JSON: ${(e as Error).message}`)
        }
        const p = parsed as Partial<SnapshotFile>
        if (typeof p !== 'object' || p === null || p.seq !== seqs[i] || typeof p.codeVersion !== 'string') {
          return E.left(`snapshot ${file} is not a bahi snapshot`)
        }
        if (p.codeVersion === codeVersion)
          return E.right({ seq: seqs[i]!, codeVersion: p.codeVersion, engine: p.engine })
      }
      return E.right(undefined)
    },
  }
}
