import { describe, expect, it } from 'vitest'
import { type PaiseRoundings, paiseInRange, parsePaise } from './parsePaise.js'

describe('parsePaise', () => {
  it('reads two decimals exactly, without a float in between', () => {
    expect(parsePaise('1221.25')).toEqual({ paise: 122125, rounded: false })
    expect(parsePaise('1221.2')).toEqual({ paise: 122120, rounded: false })
    expect(parsePaise('1221')).toEqual({ paise: 122100, rounded: false })
    expect(parsePaise('0.05')).toEqual({ paise: 5, rounded: false })
    expect(parsePaise('1221.2500')).toEqual({ paise: 122125, rounded: false })
    expect(parsePaise(' 18130.7 ')).toEqual({ paise: 1813070, rounded: false })
  })
  it('rounds float noise to the nearest paisa, half away from zero, and says so', () => {
    expect(parsePaise('24876.599609375')).toEqual({ paise: 2487660, rounded: true })
    expect(parsePaise('24970.30078125')).toEqual({ paise: 2497030, rounded: true })
    expect(parsePaise('25974.900390625')).toEqual({ paise: 2597490, rounded: true })
    expect(parsePaise('100.19921875')).toEqual({ paise: 10020, rounded: true })
    expect(parsePaise('1.005')).toEqual({ paise: 101, rounded: true })
    expect(parsePaise('1.0049')).toEqual({ paise: 100, rounded: true })
    expect(parsePaise('1.999')).toEqual({ paise: 200, rounded: true })
    expect(parsePaise('-1.005')).toEqual({ paise: -101, rounded: true })
  })
  it('reads scientific notation through a float', () => {
    expect(parsePaise('1.2e3')).toEqual({ paise: 120000, rounded: false })
  })
  it('refuses what is not a number', () => {
    for (const s of ['', '12a', 'abc', '1,5', '0x10', 'Infinity', '1.2.3', '-']) expect(parsePaise(s)).toBeUndefined()
  })
})

describe('paiseInRange', () => {
  it('reads a field in place and counts roundings in the caller’s counter', () => {
    const line = '02-01-2025,09:15:00,1221.25,24876.599609375,x'
    const r: PaiseRoundings = { n: 0 }
    expect(paiseInRange(line, 20, 27, r)).toBe(122125)
    expect(paiseInRange(line, 28, 43, r)).toBe(2487660)
    expect(r.n).toBe(1)
    expect(paiseInRange(line, 44, 45, r)).toBeNaN()
    expect(paiseInRange(line, 27, 27, r)).toBeNaN()
  })
})
