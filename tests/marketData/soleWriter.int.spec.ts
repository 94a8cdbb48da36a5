import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startChild } from '../journal/childProcess.js'

// Sole writer, many readers, across processes: a writer process holds the DuckDB store (no other process may open
// it) and seals each finished day into Parquet, re-sealing a corrected earlier day each time; two reader processes
// query the sealed files at the same time. Readers are refused the DuckDB file itself, and every day they see is
// whole.

const DAYS = 6
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bahi-sole-writer-'))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

describe('market store: one writer process, two reader processes', () => {
  it('readers see only whole sealed days while the writer writes and re-seals, and cannot open the store file', async () => {
    const store = path.join(root, 'market.duckdb')
    const sealed = path.join(root, 'sealed')
    const go = path.join(root, 'go')
    const writer = startChild('../marketData/marketWriter.child.ts', [store, sealed, String(DAYS), go])
    await writer.waitForLine((l) => l === 'holding', 30_000)
    const readers = [0, 1].map(() => startChild('../marketData/marketReader.child.ts', [store, sealed, String(DAYS)]))
    // Both readers are up (they have tried the store file) before the writer starts writing.
    for (const r of readers) await r.waitForLine((l) => l === 'locked-out' || l.startsWith('bad'), 30_000)
    fs.writeFileSync(go, '')
    await writer.waitForLine((l) => l === 'done', 60_000)
    for (const r of readers) await r.waitForLine((l) => l === 'finished', 60_000)
    await writer.exited
    for (const r of readers) {
      const lines = r.lines.map((l) => l.text)
      expect(
        lines.filter((l) => l.startsWith('bad')),
        r.stderr(),
      ).toEqual([])
      expect(lines).toContain('locked-out')
      expect(lines).toContain(`seen ${DAYS}`)
    }
    // At least one reader watched days appear while the writer was still writing.
    const progress = readers.map((r) => r.lines.filter((l) => l.text.startsWith('seen ')).length)
    expect(Math.max(...progress)).toBeGreaterThan(1)
    expect(writer.lines.filter((l) => l.text.startsWith('sealed ')).length).toBe(DAYS)
  }, 120_000)
})
