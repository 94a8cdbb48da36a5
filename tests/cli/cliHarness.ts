import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import type { Envelope, EventDraft } from '../../src/domain/events/index.js'
import { describeJournalError, openFileJournal, openJournalReader } from '../../src/journal/index.js'

// Running the real `bahi` CLI as a child process (`node --import tsx src/processes/cli/main.ts ...`) and reading or
// extending the journals it writes, for the end-to-end tests in this folder.

const here = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(here, '..', '..')
const mainTs = path.join('src', 'processes', 'cli', 'main.ts')

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/**
 * Runs `bahi <args>` to completion. `env` is merged over a copy of this process's environment with `BAHI_HOME` and
 * `BAHI_LOG_LEVEL` removed (so a developer's own settings never leak in); pass them explicitly to test them.
 */
export const bahi = (args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<CliRun> =>
  startBahi(args, env, timeoutMs).done

/**
 * Starts `bahi <args>` and returns at once: `done` settles as `bahi` does, and `stop` sends it SIGINT (a session's
 * Ctrl-C), for a test that works on a command while it runs.
 */
export const startBahi = (
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): { readonly done: Promise<CliRun>; readonly stop: () => void } => {
  let stop = () => {}
  const done = new Promise<CliRun>((resolve, reject) => {
    const { BAHI_HOME: _home, BAHI_LOG_LEVEL: _level, ...base } = process.env
    const proc = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], {
      cwd: repoRoot,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    stop = () => proc.kill('SIGINT')
    let stdout = ''
    let stderr = ''
    proc.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    proc.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`bahi ${args.join(' ')} took more than ${timeoutMs} ms; stderr: ${stderr}`))
    }, timeoutMs)
    proc.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    proc.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
  return { done, stop: () => stop() }
}

/** Parses the whole of stdout as exactly one JSON object (fails on a second line or any stray text). */
export const parseJsonOut = <T = Record<string, unknown>>(r: CliRun): T => {
  const text = r.stdout.trimEnd()
  if (text.includes('\n')) throw new Error(`expected one JSON line on stdout, got:\n${r.stdout}`)
  const v = JSON.parse(text) as unknown
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`stdout is not a JSON object: ${text}`)
  return v as T
}

/** A fresh temporary directory; `cleanup` removes every directory made so far. */
export const tempDirs = () => {
  const made: string[] = []
  return {
    make: (prefix = 'bahi-cli-'): string => {
      const d = mkdtempSync(path.join(tmpdir(), prefix))
      made.push(d)
      return d
    },
    cleanup: () => {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
    },
  }
}

export interface DemoSummary {
  readonly runId: string
  readonly journal: string
  readonly bars: number
  readonly events: number
  readonly orders: number
  readonly filledOrders: number
  readonly realizedPnl: number
  readonly fees: number
  readonly equity: number
  readonly verify: { readonly events: number; readonly divergences: number }
}

/** `bahi demo --json --home <home> <extra>`, asserting a clean exit, and its summary. */
export const runDemo = async (home: string, extra: readonly string[] = ['--days', '2']): Promise<DemoSummary> => {
  const r = await bahi(['demo', '--json', '--home', home, ...extra])
  if (r.code !== 0) throw new Error(`demo exited ${r.code}: ${r.stderr}`)
  return parseJsonOut<DemoSummary & Record<string, unknown>>(r)
}

const orThrow = <A>(r: E.Either<Parameters<typeof describeJournalError>[0], A>): A => {
  if (E.isLeft(r)) throw new Error(describeJournalError(r.left))
  return r.right
}

/** Every event of a journal, in seq order (copied, so safe to keep). */
export const readAll = async (dir: string): Promise<Envelope[]> => {
  const reader = orThrow(openJournalReader(dir))
  const out: Envelope[] = []
  try {
    for await (const batch of reader.read()) out.push(...orThrow(batch).map((e) => structuredClone(e)))
  } finally {
    await reader.close()
  }
  return out
}

/** Appends drafts to a journal (creating it if needed) and returns the seqs they were given. */
export const appendEvents = async (
  dir: string,
  drafts: readonly EventDraft[],
): Promise<{ firstSeq: number; lastSeq: number }> => {
  const journal = orThrow(openFileJournal(dir))
  try {
    return orThrow(await journal.append(drafts, { expectedLastSeq: journal.lastSeq() }))
  } finally {
    await journal.close()
  }
}
