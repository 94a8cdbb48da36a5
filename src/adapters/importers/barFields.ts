import type { Timeframe } from '../../domain/events/index.js'
import type { LineBar } from './importTypes.js'
import { parseCount, parsePaise } from './parsePaise.js'

// The shared tail of every bar format: four prices, volume and open interest as text, into a `LineBar` (or the
// reason the row cannot be read). Counts the prices that had to be rounded to the paisa.

export interface Roundings {
  n: number
}

const PRICE_NAMES = ['open', 'high', 'low', 'close'] as const

export const barFromFields = (
  line: number,
  instrumentKey: string,
  timeframe: Timeframe,
  openMs: number,
  prices: readonly [string, string, string, string],
  volume: string,
  oi: string,
  roundings: Roundings,
): LineBar | string => {
  const p = [0, 0, 0, 0]
  for (let k = 0; k < 4; k++) {
    const parsed = parsePaise(prices[k] as string)
    if (parsed === undefined) return `${PRICE_NAMES[k]} "${prices[k]}" is not a number`
    if (parsed.paise <= 0) return `${PRICE_NAMES[k]} ${prices[k]} is not a positive price`
    if (parsed.rounded) roundings.n++
    p[k] = parsed.paise
  }
  const v = volume === '' ? 0 : parseCount(volume)
  if (v === undefined) return `volume "${volume}" is not a whole number`
  const o = oi === '' ? 0 : parseCount(oi)
  if (o === undefined) return `oi "${oi}" is not a whole number`
  return {
    line,
    instrumentKey,
    timeframe,
    openMs,
    openPaise: p[0] as number,
    highPaise: p[1] as number,
    lowPaise: p[2] as number,
    closePaise: p[3] as number,
    volume: v,
    oi: o,
    flags: 0,
  }
}
