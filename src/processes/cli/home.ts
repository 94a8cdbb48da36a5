import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

// All state (journals, stores, config) lives under one data directory: `--home DIR`, else `BAHI_HOME`, else
// `~/.bahi`. Journals of runs go to `<home>/journals/<run id>/`.

export const resolveHome = (flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string =>
  resolve(flag ?? env.BAHI_HOME ?? join(homedir(), '.bahi'))

export const journalsDir = (home: string): string => join(home, 'journals')
