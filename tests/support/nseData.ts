import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { it } from 'vitest'

// Where the real NSE data sets are: `NSE_DATA_DIR`, else `../shared/data/nse` beside the repository. The data may
// not be republished, so it is never copied into the project; tests read it in place. CI always has it; a test that
// needs it says so plainly when it is absent instead of passing silently.

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

export const nseDataDir = (): string =>
  resolve(process.env.NSE_DATA_DIR ?? join(repoRoot, '..', 'shared', 'data', 'nse'))

export const hasNseData = (): boolean => existsSync(join(nseDataDir(), 'SOURCES.md'))

/** `it` when the real data is there; otherwise a skipped test whose name says why. */
export const itWithNseData = (name: string, fn: () => unknown, timeoutMs?: number): void => {
  if (hasNseData()) it(name, fn, timeoutMs)
  else it.skip(`${name} [SKIPPED: real NSE data not found at ${nseDataDir()}; set NSE_DATA_DIR]`, fn)
}
