import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TICK_PAISE,
  formatPaise,
  inrToPaise,
  isOnTick,
  Paise,
  PricePaise,
  paiseToInr,
  Qty,
  roundToTick,
} from './money.js'

describe('inrToPaise', () => {
  describe('given a feed price carrying float noise around ₹1221.25', () => {
    it('then noise above and below both round to 122125 paise', () => {
      expect(inrToPaise(1221.2500000001)).toBe(122125)
      expect(inrToPaise(1221.2499999)).toBe(122125)
      expect(inrToPaise(1221.25)).toBe(122125)
    })
  })

  describe('given prices whose decimal form is not exact in binary', () => {
    it('then every two-decimal price from ₹0.01 to ₹20.00 comes back as its exact paise', () => {
      for (let p = 1; p <= 2000; p++) {
        // p / 100 is the float a CSV parser produces for the text of that price.
        expect(inrToPaise(p / 100)).toBe(p)
      }
    })
  })

  describe('given negative amounts (a loss, a refund)', () => {
    it('then they round like their positive mirror', () => {
      expect(inrToPaise(-1221.2500000001)).toBe(-122125)
      expect(inrToPaise(-1221.2499999)).toBe(-122125)
      // 1221.125 and 0.125 are exact in binary, so × 100 lands exactly on a half paisa: the tie must not depend on
      // the sign (Math.round alone gives 122113 but -122112).
      for (const inr of [0.125, 1221.125, 3.375]) {
        expect(inrToPaise(-inr)).toBe(-inrToPaise(inr))
      }
    })

    it('then a tiny negative amount is 0, not -0', () => {
      expect(Object.is(inrToPaise(-0.001), 0)).toBe(true)
    })
  })

  describe('when converting back with paiseToInr', () => {
    it('then a whole-paise amount survives the round trip', () => {
      for (const paise of [0, 5, 122125, -122125, 100_000_000]) {
        expect(inrToPaise(paiseToInr(paise))).toBe(paise)
      }
    })
  })
})

describe('formatPaise', () => {
  it('given whole and fractional rupees, then it prints two exact decimals', () => {
    expect(formatPaise(123456)).toBe('1234.56')
    expect(formatPaise(122125)).toBe('1221.25')
    expect(formatPaise(100)).toBe('1.00')
    expect(formatPaise(5)).toBe('0.05')
    expect(formatPaise(0)).toBe('0.00')
  })

  it('given a negative amount, then the sign leads and the digits match the positive amount', () => {
    expect(formatPaise(-5)).toBe('-0.05')
    expect(formatPaise(-123456)).toBe(`-${formatPaise(123456)}`)
  })

  it('given the largest safe amount, then no digit is lost to float formatting', () => {
    const digits = String(Number.MAX_SAFE_INTEGER)
    expect(formatPaise(Number.MAX_SAFE_INTEGER)).toBe(`${digits.slice(0, -2)}.${digits.slice(-2)}`)
  })
})

describe('tick grid (NSE equities: 0.05 INR = 5 paise)', () => {
  it('the default tick is 5 paise', () => {
    expect(DEFAULT_TICK_PAISE).toBe(5)
  })

  describe('isOnTick', () => {
    it('given multiples of 5 paise, then they are on the grid', () => {
      for (const p of [5, 10, 122125, 122130]) expect(isOnTick(p, 5)).toBe(true)
    })
    it('given prices between ticks, then they are not', () => {
      for (const p of [1, 4, 122126, 122129]) expect(isOnTick(p, 5)).toBe(false)
    })
  })

  describe('roundToTick', () => {
    it('given a price between two ticks, then it moves to the nearer tick', () => {
      expect(roundToTick(122127, 5)).toBe(122125)
      expect(roundToTick(122128, 5)).toBe(122130)
      expect(roundToTick(122125, 5)).toBe(122125)
    })

    it('given every price in a range, then the result is on the grid and at most half a tick away', () => {
      for (let p = 122100; p <= 122200; p++) {
        const r = roundToTick(p, 5)
        expect(isOnTick(r, 5)).toBe(true)
        expect(Math.abs(r - p)).toBeLessThanOrEqual(2)
      }
    })

    it('given an exact half tick, then it rounds away from zero on both sides of zero', () => {
      // With a 10-paise tick, 15 is exactly half-way between 10 and 20.
      expect(roundToTick(15, 10)).toBe(20)
      expect(roundToTick(-15, 10)).toBe(-20)
      expect(Object.is(roundToTick(-1, 5), 0)).toBe(true)
    })
  })
})

describe('money codecs', () => {
  it('Paise takes any safe integer, including negatives and zero', () => {
    for (const n of [0, -1, 122125, -122125]) expect(Paise.is(n)).toBe(true)
    for (const n of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) expect(Paise.is(n)).toBe(false)
  })

  it('PricePaise and Qty take strictly positive integers only', () => {
    for (const codec of [PricePaise, Qty]) {
      expect(E.isRight(codec.decode(1))).toBe(true)
      expect(E.isRight(codec.decode(122125))).toBe(true)
      for (const bad of [0, -5, 1221.25, '122125']) expect(E.isLeft(codec.decode(bad))).toBe(true)
    }
  })
})
