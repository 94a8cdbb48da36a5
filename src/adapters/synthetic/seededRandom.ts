// A small, fast, seeded PRNG (mulberry32) and a normal sampler. Everything random in bahi draws from a generator like
// this whose seed is recorded in the run's manifest, so the same seed gives the same market and the same journal.

export interface SeededRandom {
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** Standard normal (Box-Muller). */
  readonly normal: () => number
}

export const createSeededRandom = (seed: number): SeededRandom => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  let spare: number | undefined
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare
      spare = undefined
      return s
    }
    let u = 0
    while (u === 0) u = next()
    const v = next()
    const r = Math.sqrt(-2 * Math.log(u))
    spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }
  return { next, normal }
}
