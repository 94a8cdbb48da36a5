import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { describe, expect, it } from 'vitest'
import { InstrumentKey, OrderId, Seq, StrategyId } from './ids.js'

const accepts = (codec: t.Decoder<unknown, unknown>, value: unknown): boolean => E.isRight(codec.decode(value))

describe('InstrumentKey (Upstox `SEGMENT|identifier`)', () => {
  it.each(['NSE_EQ|INE002A01018', 'NSE_INDEX|Nifty 50', 'NSE_INDEX|Nifty Bank', 'BSE_EQ|INE002A01018', 'NSE_FO|35001'])(
    'given %j, then it is a valid key',
    (key) => {
      expect(accepts(InstrumentKey, key)).toBe(true)
    },
  )

  it.each([
    ['a bare symbol', 'RELIANCE'],
    ['an empty identifier', 'NSE_EQ|'],
    ['a lower-case segment', 'nse_eq|X'],
    ['an empty segment', '|INE002A01018'],
    ['two separators', 'NSE_EQ|INE002A01018|X'],
    ['a leading space in the identifier', 'NSE_EQ| INE002A01018'],
    ['a trailing space', 'NSE_EQ|INE002A01018 '],
    ['a trailing carriage return (an untrimmed CRLF line)', 'NSE_EQ|INE002A01018\r'],
    ['the empty string', ''],
    ['a key longer than 64 characters', `NSE_EQ|${'X'.repeat(58)}`],
  ])('given %s (%j), then it is rejected', (_why, key) => {
    expect(accepts(InstrumentKey, key)).toBe(false)
  })

  it('given a key of exactly 64 characters, then it is accepted', () => {
    const key = `NSE_EQ|${'X'.repeat(64 - 'NSE_EQ|'.length)}`
    expect(key).toHaveLength(64)
    expect(accepts(InstrumentKey, key)).toBe(true)
  })

  it('given a non-string, then it is rejected', () => {
    expect(accepts(InstrumentKey, 42)).toBe(false)
    expect(accepts(InstrumentKey, undefined)).toBe(false)
  })
})

describe('OrderId (sent to Upstox as the order tag: at most 40 characters)', () => {
  const UPSTOX_TAG_LIMIT = 40

  it('given ids of 1 and exactly 40 characters, then they are valid', () => {
    expect(accepts(OrderId, 'a')).toBe(true)
    expect(accepts(OrderId, 'o'.repeat(UPSTOX_TAG_LIMIT))).toBe(true)
  })

  it('given 41 characters, then it is rejected', () => {
    expect(accepts(OrderId, 'o'.repeat(UPSTOX_TAG_LIMIT + 1))).toBe(false)
  })

  it('given the separators we use in ids, then they are valid', () => {
    for (const id of ['sma-cross.reliance-000001', 'run_7:42', 'ORD20250102A']) expect(accepts(OrderId, id)).toBe(true)
  })

  it.each([
    ['empty', ''],
    ['a leading separator', '-000001'],
    ['a space', 'sma cross'],
    ['a pipe', 'a|b'],
  ])('given %s (%j), then it is rejected', (_why, id) => {
    expect(accepts(OrderId, id)).toBe(false)
  })
})

describe('StrategyId (lower-case, up to 64 characters)', () => {
  it('given a lower-case id with dots and dashes, then it is valid', () => {
    expect(accepts(StrategyId, 'sma-cross.reliance')).toBe(true)
    expect(accepts(StrategyId, `s${'x'.repeat(63)}`)).toBe(true)
  })

  it.each([
    ['upper case', 'SMA-Cross'],
    ['65 characters', `s${'x'.repeat(64)}`],
    ['a leading dot', '.sma'],
    ['empty', ''],
    ['a space', 'sma cross'],
  ])('given %s (%j), then it is rejected', (_why, id) => {
    expect(accepts(StrategyId, id)).toBe(false)
  })
})

describe('Seq (journal sequence number, from 1)', () => {
  it('given positive integers, then they are valid', () => {
    for (const n of [1, 2, 1_000_000, Number.MAX_SAFE_INTEGER]) expect(accepts(Seq, n)).toBe(true)
  })

  it('given 0, negatives, fractions and numeric strings, then they are rejected', () => {
    for (const n of [0, -1, 1.5, Number.NaN, '1']) expect(accepts(Seq, n)).toBe(false)
  })
})
