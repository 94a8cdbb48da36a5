import * as fs from 'node:fs'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { JournalError } from './journalErrors.js'

// One writer per journal, across processes: a LOCK file created exclusively, holding the writer's pid.
// A lock left by a dead process (kill -9) is taken over; a live holder (even this process) refuses the open.

const LOCK_FILE = 'LOCK'

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface JournalLock {
  readonly release: () => void
  /** Set when a stale lock of a dead process was taken over. */
  readonly staleFromPid: number | undefined
}

export const acquireLock = (dir: string): E.Either<JournalError, JournalLock> => {
  const file = path.join(dir, LOCK_FILE)
  let staleFromPid: number | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx')
      fs.writeSync(fd, String(process.pid))
      fs.closeSync(fd)
      return E.right({
        staleFromPid,
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.unlinkSync(file)
          } catch {
            // Already gone: nothing to release.
          }
        },
      })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        return E.left({ _tag: 'JournalIo', op: 'lock', path: file, reason: (e as Error).message })
      }
      const pid = Number(fs.readFileSync(file, 'utf8').trim())
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) return E.left({ _tag: 'JournalLocked', path: dir, pid })
      staleFromPid = Number.isSafeInteger(pid) ? pid : -1
      fs.unlinkSync(file)
    }
  }
  return E.left({ _tag: 'JournalIo', op: 'lock', path: file, reason: 'could not take over a stale lock' })
}
