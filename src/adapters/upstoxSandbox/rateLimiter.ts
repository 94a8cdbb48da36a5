// Upstox's per-user, per-API-group request limits: a request counts in three sliding windows (1 s, 1 min,
// 30 min) and is refused with 429 when any of them is full. Refused requests do not count.

export type ApiGroup = 'standard' | 'order'

export interface RateWindow {
  readonly windowMs: number
  readonly max: number
}

export const RATE_LIMITS: Readonly<Record<ApiGroup, readonly RateWindow[]>> = {
  standard: [
    { windowMs: 1_000, max: 50 },
    { windowMs: 60_000, max: 500 },
    { windowMs: 1_800_000, max: 2000 },
  ],
  order: [
    { windowMs: 1_000, max: 10 },
    { windowMs: 60_000, max: 500 },
    { windowMs: 1_800_000, max: 2000 },
  ],
}

export interface RateLimiter {
  /** True when the request may proceed (and is counted); false when a window is full. */
  readonly tryAcquire: (userId: string, group: ApiGroup, nowMs: number) => boolean
}

export const createRateLimiter = (limits: Readonly<Record<ApiGroup, readonly RateWindow[]>> = RATE_LIMITS) => {
  // One ring of admission times per (user, group), as long as the largest window's max: enough to answer every
  // window, since a window can only be full when it holds `max` admissions.
  const logs = new Map<string, number[]>()
  const tryAcquire = (userId: string, group: ApiGroup, nowMs: number): boolean => {
    const windows = limits[group]
    const key = `${group}\u0000${userId}`
    let log = logs.get(key)
    if (log === undefined) logs.set(key, (log = []))
    const longest = windows.reduce((m, w) => Math.max(m, w.windowMs), 0)
    let drop = 0
    while (drop < log.length && log[drop]! <= nowMs - longest) drop++
    if (drop > 0) log.splice(0, drop)
    for (const w of windows) {
      let count = 0
      for (let i = log.length - 1; i >= 0 && log[i]! > nowMs - w.windowMs; i--) count++
      if (count >= w.max) return false
    }
    log.push(nowMs)
    return true
  }
  return { tryAcquire } satisfies RateLimiter
}
