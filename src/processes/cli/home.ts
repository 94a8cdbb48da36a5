import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findPackageRoot } from '../../adapters/calendar/index.js'

// All state (journals, stores, config) lives under one data directory: `--home DIR`, else `BAHI_HOME`, else
// `~/.bahi`. Journals of runs go to `<home>/journals/<run id>/`.

export const resolveHome = (flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string =>
  resolve(flag ?? env.BAHI_HOME ?? join(homedir(), '.bahi'))

export const journalsDir = (home: string): string => join(home, 'journals')

/** The market store (DuckDB) of a data directory. */
export const marketStorePath = (home: string): string => join(home, 'market', 'market.duckdb')

/** The sealed Parquet directory of a data directory: what other processes read (see marketReader.ts). */
export const sealedMarketDir = (home: string): string => join(home, 'market', 'sealed')

/** The sealed ticks' directory (apart from the bars': their columns differ, and one glob reads all the bars). */
export const sealedTicksDir = (home: string): string => join(home, 'market', 'sealed-ticks')

/** The sealed instrument master's directory: trading symbols for reader processes beside a writer. */
export const sealedInstrumentsDir = (home: string): string => join(home, 'market', 'sealed-instruments')

/** The packaged symbol -> instrument key table. */
export const packagedSymbolsPath = (): string =>
  join(findPackageRoot(dirname(fileURLToPath(import.meta.url))) ?? '.', 'data', 'instruments', 'nse-symbols.csv')
