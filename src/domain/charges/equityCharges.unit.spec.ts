import { describe, expect, it } from 'vitest'
import { chargesKnownFrom, equityCharges, scheduleOn, UPSTOX_EQUITY_SCHEDULES } from './equityCharges.js'

// Known answers, computed by hand in paise from the table's rates.

describe('equity charges (Upstox schedule from 2024-10-01)', () => {
  const s = scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2025-01-02')

  it('picks the schedule in force on the trade date', () => {
    expect(scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2024-09-30')?.exchangePer1e7).toBe(322)
    expect(s?.exchangePer1e7).toBe(297)
    expect(scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2024-03-31')?.exchangePer1e7).toBe(325)
    expect(scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2023-03-31')?.exchangePer1e7).toBe(345)
    expect(scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2020-12-31')).toBeUndefined()
    expect(chargesKnownFrom(UPSTOX_EQUITY_SCHEDULES)).toBe('2021-01-01')
  })

  it('intraday buy of 10 x 1223.05 INR (value 12,230.50 INR = 1,223,050 paise)', () => {
    // brokerage min(2000, 1,223,050 x 0.1% = 1223.05 -> 1223) = 1223
    // STT: buy side intraday -> 0
    // exchange 1,223,050 x 0.00297% = 36.32 -> 36; SEBI 0.0001% = 1.22 -> 1; IPFT 1.22 -> 1
    // stamp 0.003% = 36.69 -> 37
    // GST 18% x (1223 + 36 + 1 + 1 = 1261) = 226.98 -> 227
    expect(equityCharges(s, { side: 'BUY', product: 'I', valuePaise: 1_223_050, chargeBrokerage: true })).toEqual({
      brokeragePaise: 1223,
      sttPaise: 0,
      exchangePaise: 36,
      sebiPaise: 1,
      ipftPaise: 1,
      stampPaise: 37,
      gstPaise: 227,
      totalPaise: 1525,
    })
  })

  it('intraday sell of 100 x 2500.00 INR: brokerage capped at 20 INR, STT 0.025% on the sell side, no stamp', () => {
    // value 25,000,000 paise; brokerage min(2000, 25,000) = 2000; STT 6250; exchange 742.5 -> 743 (half up);
    // SEBI 25; IPFT 25; GST 18% x (2000 + 743 + 25 + 25 = 2793) = 502.74 -> 503
    const c = equityCharges(s, { side: 'SELL', product: 'I', valuePaise: 25_000_000, chargeBrokerage: true })
    expect(c).toEqual({
      brokeragePaise: 2000,
      sttPaise: 6250,
      exchangePaise: 743,
      sebiPaise: 25,
      ipftPaise: 25,
      stampPaise: 0,
      gstPaise: 503,
      totalPaise: 2000 + 6250 + 743 + 25 + 25 + 503,
    })
  })

  it('delivery buy: flat 20 INR brokerage, STT 0.1% on both sides, stamp 0.015%', () => {
    const c = equityCharges(s, { side: 'BUY', product: 'D', valuePaise: 10_000_000, chargeBrokerage: true })
    expect(c).toMatchObject({ brokeragePaise: 2000, sttPaise: 10_000, stampPaise: 1_500 })
  })

  it('a second fill of the same order pays no brokerage; no schedule means no charges', () => {
    expect(
      equityCharges(s, { side: 'BUY', product: 'I', valuePaise: 1_223_050, chargeBrokerage: false }).brokeragePaise,
    ).toBe(0)
    expect(
      equityCharges(undefined, { side: 'BUY', product: 'I', valuePaise: 1_223_050, chargeBrokerage: true }).totalPaise,
    ).toBe(0)
  })
})

describe('equity charges before 2024-04-01 (the 2023 tariff; NSE 0.00345% until 2023-03-31, 0.00325% after)', () => {
  it('intraday buy of 10 x 1223.05 INR on 2022-06-01: brokerage 0.05%, exchange 0.00345%, IPFT below a paisa', () => {
    // value 1,223,050 paise; brokerage min(2000, 1,223,050 x 0.05% = 611.525 -> 612) = 612; STT 0 (buy)
    // exchange 1,223,050 x 0.00345% = 42.195 -> 42; SEBI 1.2 -> 1; IPFT 0; stamp 0.003% = 36.69 -> 37
    // GST 18% x (612 + 42 + 1 + 0 = 655) = 117.9 -> 118
    const s = scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2022-06-01')
    expect(equityCharges(s, { side: 'BUY', product: 'I', valuePaise: 1_223_050, chargeBrokerage: true })).toEqual({
      brokeragePaise: 612,
      sttPaise: 0,
      exchangePaise: 42,
      sebiPaise: 1,
      ipftPaise: 0,
      stampPaise: 37,
      gstPaise: 118,
      totalPaise: 612 + 42 + 1 + 37 + 118,
    })
  })

  it('delivery sell of 2 x 400.00 INR on 2023-06-01: brokerage the lower of 20 INR and 2.5%, STT 0.1%, no stamp', () => {
    // value 80,000 paise; brokerage min(2000, 80,000 x 2.5% = 2000) = 2000; STT 0.1% = 80
    // exchange 80,000 x 0.00325% = 2.6 -> 3; SEBI 0.08 -> 0; IPFT 0.08 -> 0
    // GST 18% x (2000 + 3) = 360.54 -> 361
    const s = scheduleOn(UPSTOX_EQUITY_SCHEDULES, '2023-06-01')
    expect(equityCharges(s, { side: 'SELL', product: 'D', valuePaise: 80_000, chargeBrokerage: true })).toEqual({
      brokeragePaise: 2000,
      sttPaise: 80,
      exchangePaise: 3,
      sebiPaise: 0,
      ipftPaise: 0,
      stampPaise: 0,
      gstPaise: 361,
      totalPaise: 2000 + 80 + 3 + 361,
    })
    // and a smaller delivery order pays 2.5% of its value, not the flat 20 INR
    const small = equityCharges(s, { side: 'SELL', product: 'D', valuePaise: 40_000, chargeBrokerage: true })
    expect(small.brokeragePaise).toBe(1000)
  })
})
