import { describe, expect, it } from 'vitest'
import { barCloseMs, bucketStartMs } from './timeframes.js'

const ist = (s: string) => Date.parse(`${s}+05:30`)

describe('session-aligned timeframes (09:15 anchor)', () => {
  it('buckets start at 09:15 IST, not at the clock hour', () => {
    expect(bucketStartMs(ist('2025-01-02T10:14:00'), '1h')).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T10:15:00'), '1h')).toBe(ist('2025-01-02T10:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:44:00'), '30m')).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:19:00'), '5m')).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T09:20:00'), '3m')).toBe(ist('2025-01-02T09:18:00'))
    expect(bucketStartMs(ist('2025-01-02T15:29:00'), '15m')).toBe(ist('2025-01-02T15:15:00'))
    expect(bucketStartMs(ist('2025-01-02T15:29:00'), '1d')).toBe(ist('2025-01-02T09:15:00'))
    expect(bucketStartMs(ist('2025-01-02T00:10:00'), '1d')).toBe(ist('2025-01-02T09:15:00'))
  })
  it('a bar closes at start + timeframe, but a session bar never after 15:30', () => {
    expect(barCloseMs(ist('2025-01-02T09:15:00'), '1m')).toBe(ist('2025-01-02T09:16:00'))
    expect(barCloseMs(ist('2025-01-02T14:15:00'), '1h')).toBe(ist('2025-01-02T15:15:00'))
    expect(barCloseMs(ist('2025-01-02T15:15:00'), '1h')).toBe(ist('2025-01-02T15:30:00'))
    expect(barCloseMs(ist('2025-01-02T15:00:00'), '30m')).toBe(ist('2025-01-02T15:30:00'))
    expect(barCloseMs(ist('2025-01-02T09:15:00'), '1d')).toBe(ist('2025-01-02T15:30:00'))
  })
})
