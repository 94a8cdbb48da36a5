import * as fs from 'node:fs'
import * as path from 'node:path'
import { fsyncDir } from './segmentFiles.js'

// Named checkpoints (`name -> seq`) live in `checkpoints.json` beside the segments, replaced atomically
// (write a temporary file, fsync, rename, fsync the directory), so a crash leaves the old or the new set.

export const CHECKPOINTS_FILE = 'checkpoints.json'

export const readCheckpoints = (dir: string): Record<string, number> => {
  const file = path.join(dir, CHECKPOINTS_FILE)
  if (!fs.existsSync(file)) return {}
  const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${file} is not a JSON object`)
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new Error(`${file}: checkpoint "${k}" is not a seq`)
    out[k] = v
  }
  return out
}

export const writeCheckpoints = (dir: string, checkpoints: Record<string, number>): void => {
  const file = path.join(dir, CHECKPOINTS_FILE)
  const tmp = `${file}.tmp`
  const sorted = Object.fromEntries(Object.entries(checkpoints).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const fd = fs.openSync(tmp, 'w')
  try {
    fs.writeSync(fd, `${JSON.stringify(sorted, null, 2)}\n`)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, file)
  fsyncDir(dir)
}
