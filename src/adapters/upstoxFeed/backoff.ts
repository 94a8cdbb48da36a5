// Jittered exponential backoff for reconnects: attempt n waits a random time in [(1 - jitter) * b, b] where
// b = min(maxMs, initialMs * factor^n). The jitter keeps many clients (or one client's two streams) from
// reconnecting in lockstep after a server restart. The random source is injected (a seeded
// `createSeededRandom(n).next` in tests), so tests are deterministic.

export interface BackoffPolicy {
  readonly initialMs: number
  readonly maxMs: number
  readonly factor: number
  /** Share of the delay that is random, 0..1. */
  readonly jitter: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 30_000, factor: 2, jitter: 0.5 }

/** The delay bounds of attempt `attempt` (0-based). */
export const backoffBounds = (
  p: BackoffPolicy,
  attempt: number,
): { readonly minMs: number; readonly maxMs: number } => {
  const base = Math.min(p.maxMs, p.initialMs * p.factor ** Math.max(0, attempt))
  return { minMs: base * (1 - p.jitter), maxMs: base }
}

export const createBackoff = (p: BackoffPolicy, random: () => number) => {
  if (!(p.initialMs > 0) || !(p.maxMs >= p.initialMs) || !(p.factor >= 1) || !(p.jitter >= 0 && p.jitter <= 1))
    throw new Error(`invalid backoff policy ${JSON.stringify(p)}`)
  let attempt = 0
  return {
    /** The next delay (ms), and one attempt more. */
    next: (): number => {
      const { minMs, maxMs } = backoffBounds(p, attempt)
      attempt++
      return Math.round(minMs + (maxMs - minMs) * random())
    },
    reset: (): void => {
      attempt = 0
    },
    attempts: (): number => attempt,
  }
}

export type Backoff = ReturnType<typeof createBackoff>
