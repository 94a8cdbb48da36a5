// Date ticks for a chart whose points are IST date-times ("YYYY-MM-DD HH:MM:SS") in order. Points are spaced by
// trading time (one per sample), so a tick sits on the first point of each new hour, day, week, month, quarter or
// year, whichever of these gives a readable number of ticks.

export interface TimeTick {
  readonly index: number
  readonly label: string
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const monthName = (t: string): string => MONTHS[Number(t.slice(5, 7)) - 1] ?? t.slice(5, 7)
const dayLabel = (t: string): string => `${Number(t.slice(8, 10))} ${monthName(t)} ${t.slice(0, 4)}`
/** The Monday of the week of an IST date, as YYYY-MM-DD (days counted in UTC so no local zone intervenes). */
const weekOf = (t: string): string => {
  const ms = Date.UTC(Number(t.slice(0, 4)), Number(t.slice(5, 7)) - 1, Number(t.slice(8, 10)))
  const dow = (new Date(ms).getUTCDay() + 6) % 7
  return new Date(ms - dow * 86_400_000).toISOString().slice(0, 10)
}

interface Scale {
  readonly key: (t: string) => string
  readonly label: (t: string, first: boolean) => string
}

const SCALES: readonly Scale[] = [
  { key: (t) => t.slice(0, 13), label: (t, first) => (first ? `${dayLabel(t)} ${t.slice(11, 16)}` : t.slice(11, 16)) },
  { key: (t) => t.slice(0, 10), label: dayLabel },
  { key: weekOf, label: dayLabel },
  { key: (t) => t.slice(0, 7), label: (t) => `${monthName(t)} ${t.slice(0, 4)}` },
  {
    key: (t) => `${t.slice(0, 4)}Q${Math.floor((Number(t.slice(5, 7)) - 1) / 3)}`,
    label: (t) => `${monthName(t)} ${t.slice(0, 4)}`,
  },
  { key: (t) => t.slice(0, 4), label: (t) => t.slice(0, 4) },
]

const ticksOf = (times: readonly string[], scale: Scale): TimeTick[] => {
  const ticks: TimeTick[] = []
  let prev = ''
  times.forEach((t, index) => {
    const k = scale.key(t)
    if (k !== prev) ticks.push({ index, label: scale.label(t, ticks.length === 0) })
    prev = k
  })
  return ticks
}

/** The coarsest scale with at least 3 ticks (and at most `maxTicks`), else the finest with at most `maxTicks`. */
export const timeTicks = (times: readonly string[], maxTicks = 8): TimeTick[] => {
  if (times.length === 0) return []
  let finer: TimeTick[] | undefined
  for (let s = SCALES.length - 1; s >= 0; s--) {
    const scale = SCALES[s]
    if (scale === undefined) continue
    const ticks = ticksOf(times, scale)
    if (ticks.length > maxTicks) {
      if (finer !== undefined) return finer
      // More years than ticks: every n-th year.
      const every = Math.ceil(ticks.length / maxTicks)
      return ticks.filter((_, i) => i % every === 0)
    }
    if (ticks.length >= 3) return ticks
    finer = ticks
  }
  return finer ?? []
}
