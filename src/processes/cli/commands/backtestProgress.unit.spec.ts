import { describe, expect, it } from 'vitest'
import { backtestProgress } from './backtestProgress.js'

// The backtest's progress line: throttled, with rate and elapsed time, and only where it is drawn.

const clocked = (draw: boolean) => {
  let t = 1_000
  const written: string[] = []
  const p = backtestProgress({ unit: 'bars', draw, write: (s) => written.push(s), now: () => t, everyMs: 250 })
  return { p, written, advance: (ms: number) => (t += ms) }
}

describe('backtest progress line', () => {
  it('shows bars, bars/s and the elapsed time, redrawn at most every 250 ms', () => {
    const { p, written, advance } = clocked(true)
    advance(100)
    p.update(10_000) // 100 ms in: too soon
    advance(400)
    p.update(60_000) // 500 ms in: 60,000 / 0.5 s
    advance(100)
    p.update(80_000) // 100 ms after the last line: too soon
    advance(1_500)
    p.update(70_000) // 2.1 s in: 70,000 / 2.1 = 33,333, one digit shorter: padded by a space
    p.finish()
    expect(written).toEqual([
      '\rbahi backtest: 60000 bars, 120000/s, 0.5 s',
      '\rbahi backtest: 70000 bars, 33333/s, 2.1 s ',
      '\n',
    ])
  })

  it("with the run's range, says how far through it the last event is", () => {
    let t = 0
    const written: string[] = []
    const p = backtestProgress({
      unit: 'bars',
      draw: true,
      write: (s) => written.push(s),
      now: () => t,
      everyMs: 250,
      range: { fromMs: 1_000_000, toMs: 2_000_000 },
    })
    t = 1_000
    p.update(1_000, 1_437_000) // 43.7% of the way: shown as 43%
    t = 2_000
    p.update(2_000, 2_500_000) // past the end (a bar closing after the last date): at most 100%
    expect(written).toEqual([
      '\rbahi backtest: 1000 bars, 43% of the range, 1000/s, 1.0 s',
      '\rbahi backtest: 2000 bars, 100% of the range, 1000/s, 2.0 s',
    ])
  })

  it('draws nothing when stderr is not a terminal (or the output is JSON), and ends no line it did not draw', () => {
    const off = clocked(false)
    off.advance(1_000)
    off.p.update(50_000)
    off.p.finish()
    expect(off.written).toEqual([])
    const short = clocked(true)
    short.p.update(5)
    short.p.finish()
    expect(short.written).toEqual([])
  })
})
