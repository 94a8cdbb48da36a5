// The client-side rate limiter: per API group, sliding windows (1 s, 1 min, 30 min) that a request must fit in
// before it is sent. It delays; it never refuses and never lets a window overflow.
//
// A request counts from the moment it is admitted until its response arrives, and then stays in the windows with
// its completion time. So however long the network takes, the server can never see more than `max` requests in any
// window: for the server to count one more, some request admitted earlier would have had to reach it after we had
// already stopped counting it, and we count every request until after the server has seen it.

export type ApiGroup = 'standard' | 'order'

export interface RateWindow {
  readonly windowMs: number
  readonly max: number
}

export type RateLimits = Readonly<Record<ApiGroup, readonly RateWindow[]>>

/** Upstox's documented limits per user and API. */
export const UPSTOX_RATE_LIMITS: RateLimits = {
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

/** Admit now, wait this many ms, or wait for a request in flight to finish. */
export type Admission =
  | { readonly _tag: 'Admit' }
  | { readonly _tag: 'Wait'; readonly ms: number }
  | { readonly _tag: 'WaitForRelease' }

/**
 * The pure core for one group: requests in flight and completion times (ascending: completions are recorded as
 * they happen on a monotonic clock). Synchronous, so a property test can drive it through any schedule.
 */
export const createWindowLog = (windows: readonly RateWindow[]) => {
  const longest = windows.reduce((m, w) => Math.max(m, w.windowMs), 0)
  const done: number[] = []
  let head = 0
  let inFlight = 0
  const prune = (nowMs: number) => {
    while (head < done.length && (done[head] as number) <= nowMs - longest) head++
    if (head > 1024 && head * 2 > done.length) {
      done.splice(0, head)
      head = 0
    }
  }
  const admission = (nowMs: number): Admission => {
    prune(nowMs)
    let waitMs = 0
    for (const w of windows) {
      // Completed requests inside (now - windowMs, now], oldest first from `first`.
      let first = done.length
      while (first > head && (done[first - 1] as number) > nowMs - w.windowMs) first--
      const count = inFlight + (done.length - first)
      if (count < w.max) continue
      const mustLeave = count - w.max + 1
      if (mustLeave > done.length - first) return { _tag: 'WaitForRelease' }
      const leavesAt = (done[first + mustLeave - 1] as number) + w.windowMs
      waitMs = Math.max(waitMs, leavesAt - nowMs)
    }
    return waitMs > 0 ? { _tag: 'Wait', ms: waitMs } : { _tag: 'Admit' }
  }
  return {
    admission,
    /** Call only after `admission` said Admit. */
    start: () => {
      inFlight++
    },
    finish: (nowMs: number) => {
      inFlight--
      done.push(Math.max(nowMs, done.at(-1) ?? nowMs))
    },
    inFlight: () => inFlight,
  }
}

export interface LimiterClock {
  readonly nowMs: () => number
  readonly sleep: (ms: number) => Promise<void>
}

export interface RateLimiter {
  /** Runs `task` once every window of `group` has room, counting it until it settles. */
  readonly schedule: <A>(group: ApiGroup, task: () => Promise<A>) => Promise<A>
  /** Requests admitted and waiting, per group (for logs and tests). */
  readonly stats: (group: ApiGroup) => { readonly inFlight: number; readonly waiting: number; readonly delayed: number }
}

export const createRateLimiter = (clock: LimiterClock, limits: RateLimits = UPSTOX_RATE_LIMITS): RateLimiter => {
  const groups = {
    standard: { log: createWindowLog(limits.standard), queue: Promise.resolve(), waiting: 0, delayed: 0 },
    order: { log: createWindowLog(limits.order), queue: Promise.resolve(), waiting: 0, delayed: 0 },
  }
  // Wakes admission waiters when a request in flight settles.
  let releaseWaiters: (() => void)[] = []
  const released = () => new Promise<void>((r) => releaseWaiters.push(r))
  const signalRelease = () => {
    const ws = releaseWaiters
    releaseWaiters = []
    for (const w of ws) w()
  }

  const schedule = <A>(group: ApiGroup, task: () => Promise<A>): Promise<A> => {
    const g = groups[group]
    g.waiting++
    // Admissions are serialised per group (first come, first served); the tasks themselves run concurrently.
    const admitted = g.queue.then(async () => {
      for (;;) {
        const a = g.log.admission(clock.nowMs())
        if (a._tag === 'Admit') break
        g.delayed++
        await (a._tag === 'Wait' ? Promise.race([clock.sleep(a.ms), released()]) : released())
      }
      g.log.start()
      g.waiting--
    })
    g.queue = admitted
    return admitted.then(() =>
      task().finally(() => {
        g.log.finish(clock.nowMs())
        signalRelease()
      }),
    )
  }
  return {
    schedule,
    stats: (group) => ({
      inFlight: groups[group].log.inFlight(),
      waiting: groups[group].waiting,
      delayed: groups[group].delayed,
    }),
  }
}
