// The progress line of `bahi backtest` on stderr: events so far, their rate, how far through the date range the last
// one is, and the time elapsed, redrawn at most every `everyMs`. The share is of time, not of events: the run streams
// the store's data and learns the total only at the end (a count would cost a query of its own), while the range is
// known from the start. Drawn only on a terminal, as `bahi import`'s bar: redraws with `\r` are noise in a log file
// or a pipe.

export interface BacktestProgressOptions {
  /** What the events are: `bars`, or `ticks and bars` in a run on ticks. */
  readonly unit: string
  /** Whether to draw at all: stderr is a TTY and the output is not --json. */
  readonly draw: boolean
  readonly write: (s: string) => void
  /** Milliseconds, monotonic (performance.now). */
  readonly now: () => number
  readonly everyMs?: number
  /** The run's time range (epoch ms): with it, the line says how far through it the last event is. */
  readonly range?: { readonly fromMs: number; readonly toMs: number }
}

export interface BacktestProgress {
  /** Events stepped so far, and the time of the last (the backtest's onProgress). */
  readonly update: (events: number, lastTs?: number) => void
  /** Ends the line, if one was drawn. */
  readonly finish: () => void
}

export const backtestProgress = (o: BacktestProgressOptions): BacktestProgress => {
  const start = o.now()
  const everyMs = o.everyMs ?? 250
  // The first line waits a whole interval too: a run shorter than that draws nothing.
  let lastDrawn = start
  let width = 0
  return {
    update: (events, lastTs) => {
      if (!o.draw) return
      const t = o.now()
      if (t - lastDrawn < everyMs) return
      lastDrawn = t
      const seconds = (t - start) / 1000
      const r = o.range
      const share =
        r === undefined || lastTs === undefined || !(r.toMs > r.fromMs)
          ? ''
          : `, ${Math.floor(Math.min(1, Math.max(0, (lastTs - r.fromMs) / (r.toMs - r.fromMs))) * 100)}% of the range`
      const line = `bahi backtest: ${events} ${o.unit}${share}, ${Math.round(events / seconds)}/s, ${seconds.toFixed(1)} s`
      // Padded to the last line's width: a shorter line (a rate with fewer digits) leaves no old characters behind.
      o.write(`\r${line.padEnd(width)}`)
      width = Math.max(width, line.length)
    },
    finish: () => {
      if (width > 0) o.write('\n')
    },
  }
}
