import type { Product, Side } from '../events/index.js'

// Charges on an Indian equity trade, from a dated table. Rates change over time (STT in Budgets, exchange charges
// by circular), so each schedule has the date it took effect and its source; a fill uses the schedule in force on
// its trade date. Every component is computed on the fill's value and rounded to the nearest paisa on its own, as
// contract notes show them; GST is 18% of brokerage + exchange transaction charges + SEBI fees + NSE IPFT.
//
// Rates are fractions of turnover expressed in parts per 10^7 (1 = 0.00001%), so the table holds whole numbers:
// 0.025% = 25,000 / 10^7.

export type ChargesModel = 'zero' | 'upstox'

export interface ChargeSchedule {
  /** First IST trade date (YYYY-MM-DD) the schedule applies to. */
  readonly from: string
  readonly source: string
  /** Brokerage per executed order: min(flat, rate x value), or the flat amount when `rate` is undefined. */
  readonly brokerage: Readonly<
    Record<'intraday' | 'delivery', { readonly flatPaise: number; readonly ratePer1e7?: number }>
  >
  /** STT: intraday on the sell side only; delivery on both sides. */
  readonly stt: Readonly<Record<'intraday' | 'delivery', number>>
  /** NSE exchange transaction charge, both sides. */
  readonly exchangePer1e7: number
  /** SEBI turnover fee (Rs 10 per crore), both sides. */
  readonly sebiPer1e7: number
  /** NSE Investor Protection Fund Trust charge (Rs 10 per crore), both sides. */
  readonly ipftPer1e7: number
  /** Stamp duty, buy side only. */
  readonly stamp: Readonly<Record<'intraday' | 'delivery', number>>
  readonly gstPercent: number
}

/**
 * Upstox equity schedules, oldest first. Sources: Upstox help centre "How are the charges calculated?" (article
 * 257195, brokerage and statutory tables), NSE circular on transaction charges from 2024-10-01 (0.00297%), the
 * Finance Act 2023 STT rates. Verify against a contract note before relying on them for money.
 *
 * Before 2024-04-01: NSE raised its cash-equity transaction charge by 6% from 2021-01-01 (0.00325% -> 0.00345%) and
 * rolled the rise back from 2023-04-01, when its IPFT contribution went from Rs 0.01 to Rs 10 per crore (NSE board
 * decision of 2023-03-23, reported by The Hindu and BusinessLine on 2023-03-24). Upstox's published tariff of 2023:
 * intraday the lower of Rs 20 and 0.05%, delivery the lower of Rs 20 and 2.5%, with STT, stamp duty (uniform since
 * 2020-07-01) and GST as later. Upstox's delivery was free in 2020; when that ended is not in these sources, so the
 * 2021 schedule charges delivery brokerage throughout. No schedule is known before 2021-01-01: a backtest with
 * Upstox charges refuses to start earlier (see `chargesKnownFrom`).
 */
export const UPSTOX_EQUITY_SCHEDULES: readonly ChargeSchedule[] = [
  {
    from: '2021-01-01',
    source:
      'Upstox tariff as published in 2023; NSE transaction charge 0.00345% (6% rise from 2021-01-01), IPFT Rs 0.01/crore',
    brokerage: {
      intraday: { flatPaise: 2000, ratePer1e7: 5_000 },
      delivery: { flatPaise: 2000, ratePer1e7: 250_000 },
    },
    stt: { intraday: 2_500, delivery: 10_000 },
    exchangePer1e7: 345,
    sebiPer1e7: 10,
    ipftPer1e7: 0,
    stamp: { intraday: 300, delivery: 1_500 },
    gstPercent: 18,
  },
  {
    from: '2023-04-01',
    source: 'Upstox tariff 2023; NSE rolled the 6% rise back (0.00325%) and set IPFT at Rs 10/crore from 2023-04-01',
    brokerage: {
      intraday: { flatPaise: 2000, ratePer1e7: 5_000 },
      delivery: { flatPaise: 2000, ratePer1e7: 250_000 },
    },
    stt: { intraday: 2_500, delivery: 10_000 },
    exchangePer1e7: 325,
    sebiPer1e7: 10,
    ipftPer1e7: 10,
    stamp: { intraday: 300, delivery: 1_500 },
    gstPercent: 18,
  },
  {
    from: '2024-04-01',
    source: 'upstox.com/help-center 257195 (2024); NSE transaction charge 0.00322% (Apr-Sep 2024)',
    brokerage: { intraday: { flatPaise: 2000, ratePer1e7: 10_000 }, delivery: { flatPaise: 2000 } },
    stt: { intraday: 2_500, delivery: 10_000 },
    exchangePer1e7: 322,
    sebiPer1e7: 10,
    ipftPer1e7: 10,
    stamp: { intraday: 300, delivery: 1_500 },
    gstPercent: 18,
  },
  {
    from: '2024-10-01',
    source: 'upstox.com/help-center 257195 (2025); NSE circular: transaction charge 0.00297% from 2024-10-01',
    brokerage: { intraday: { flatPaise: 2000, ratePer1e7: 10_000 }, delivery: { flatPaise: 2000 } },
    stt: { intraday: 2_500, delivery: 10_000 },
    exchangePer1e7: 297,
    sebiPer1e7: 10,
    ipftPer1e7: 10,
    stamp: { intraday: 300, delivery: 1_500 },
    gstPercent: 18,
  },
]

export interface ChargeBreakdown {
  readonly brokeragePaise: number
  readonly sttPaise: number
  readonly exchangePaise: number
  readonly sebiPaise: number
  readonly ipftPaise: number
  readonly stampPaise: number
  readonly gstPaise: number
  readonly totalPaise: number
}

const ZERO: ChargeBreakdown = {
  brokeragePaise: 0,
  sttPaise: 0,
  exchangePaise: 0,
  sebiPaise: 0,
  ipftPaise: 0,
  stampPaise: 0,
  gstPaise: 0,
  totalPaise: 0,
}

/** `value x rate / 10^7`, rounded to the nearest paisa (half up: amounts are positive). */
const part = (valuePaise: number, per1e7: number): number => Math.round((valuePaise * per1e7) / 1e7)

/** The first IST date a schedule covers: trades before it would be charged nothing. */
export const chargesKnownFrom = (schedules: readonly ChargeSchedule[]): string | undefined => schedules[0]?.from

/** The schedule in force on an IST date, or undefined before the first one. */
export const scheduleOn = (schedules: readonly ChargeSchedule[], istDate: string): ChargeSchedule | undefined => {
  let found: ChargeSchedule | undefined
  for (const s of schedules) if (s.from <= istDate) found = s
  return found
}

/**
 * Charges on one fill. `product` I is intraday, D/MTF delivery. Brokerage is per executed order: pass
 * `chargeBrokerage: false` for the second and later fills of the same order.
 */
export const equityCharges = (
  schedule: ChargeSchedule | undefined,
  o: { readonly side: Side; readonly product: Product; readonly valuePaise: number; readonly chargeBrokerage: boolean },
): ChargeBreakdown => {
  if (schedule === undefined) return ZERO
  const kind = o.product === 'I' ? 'intraday' : 'delivery'
  const b = schedule.brokerage[kind]
  const brokeragePaise = !o.chargeBrokerage
    ? 0
    : b.ratePer1e7 === undefined
      ? b.flatPaise
      : Math.min(b.flatPaise, part(o.valuePaise, b.ratePer1e7))
  const sttPaise = kind === 'delivery' || o.side === 'SELL' ? part(o.valuePaise, schedule.stt[kind]) : 0
  const exchangePaise = part(o.valuePaise, schedule.exchangePer1e7)
  const sebiPaise = part(o.valuePaise, schedule.sebiPer1e7)
  const ipftPaise = part(o.valuePaise, schedule.ipftPer1e7)
  const stampPaise = o.side === 'BUY' ? part(o.valuePaise, schedule.stamp[kind]) : 0
  const gstPaise = Math.round(((brokeragePaise + exchangePaise + sebiPaise + ipftPaise) * schedule.gstPercent) / 100)
  return {
    brokeragePaise,
    sttPaise,
    exchangePaise,
    sebiPaise,
    ipftPaise,
    stampPaise,
    gstPaise,
    totalPaise: brokeragePaise + sttPaise + exchangePaise + sebiPaise + ipftPaise + stampPaise + gstPaise,
  }
}
