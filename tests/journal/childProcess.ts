import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import * as path from 'node:path'
import * as readline from 'node:readline'
import { fileURLToPath } from 'node:url'

// Starting the journal's child-process scripts (`node --import tsx <script>`) and following their stdout lines.

const here = path.dirname(fileURLToPath(import.meta.url))
const repoRoot = path.resolve(here, '..', '..')

export interface Child {
  readonly proc: ChildProcessWithoutNullStreams
  /** Every stdout line so far, with the time (performance.now()) it arrived. */
  readonly lines: { readonly text: string; readonly at: number }[]
  /** Resolves with the first line (now or later) that satisfies `pred`; rejects if the child exits first. */
  readonly waitForLine: (pred: (line: string) => boolean, timeoutMs?: number) => Promise<string>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly stderr: () => string
}

export const startChild = (script: string, args: readonly string[]): Child => {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  const lines: { text: string; at: number }[] = []
  const listeners = new Set<(line: string) => void>()
  let err = ''
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (d: string) => {
    err += d
  })
  readline.createInterface({ input: proc.stdout }).on('line', (text) => {
    lines.push({ text, at: performance.now() })
    for (const l of listeners) l(text)
  })
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined
  // 'close' rather than 'exit': by then stdout has been read to its end, so `lines` is complete.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => {
      exitState = { code, signal }
      resolve(exitState)
    })
  })
  const waitForLine = (pred: (line: string) => boolean, timeoutMs = 20_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const seen = lines.find((l) => pred(l.text))
      if (seen !== undefined) return resolve(seen.text)
      const timer = setTimeout(() => {
        listeners.delete(listener)
        reject(new Error(`no matching line from ${script} within ${timeoutMs} ms; stderr: ${err}`))
      }, timeoutMs)
      const listener = (line: string) => {
        if (!pred(line)) return
        clearTimeout(timer)
        listeners.delete(listener)
        resolve(line)
      }
      listeners.add(listener)
      void exited.then((s) => {
        if (!listeners.has(listener)) return
        clearTimeout(timer)
        listeners.delete(listener)
        reject(new Error(`${script} exited (${JSON.stringify(s ?? exitState)}) before the line; stderr: ${err}`))
      })
    })
  return { proc, lines, waitForLine, exited, stderr: () => err }
}
