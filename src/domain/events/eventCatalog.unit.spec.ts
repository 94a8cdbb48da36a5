import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { PathReporter } from 'io-ts/lib/PathReporter.js'
import { describe, expect, it } from 'vitest'
import {
  DomainEvent,
  Envelope,
  EVENT_TYPES,
  EventDraftCodec,
  type EventOrigin,
  type EventType,
  eventOrigin,
} from './eventCatalog.js'
import { sampleEvent } from './events.fixtures.js'
import type { BrokerKind } from './runEvents.js'

interface Failure {
  /** Field path inside the event, e.g. `payload.ltpPaise` (union/intersection member indices left out). */
  readonly path: string
  /** Name of the codec that refused the value, e.g. `PricePaise`. */
  readonly expected: string
  readonly value: unknown
}

/** The io-ts errors of a decode, one per refused value, as the fields an error message is built from. */
const failuresOf = (result: t.Validation<unknown>): readonly Failure[] => {
  if (E.isRight(result)) return []
  return result.left.map((e) => {
    const keys = e.context
      .filter((c, i) => {
        const parent = e.context[i - 1]?.type
        return c.key !== '' && !(parent instanceof t.UnionType || parent instanceof t.IntersectionType)
      })
      .map((c) => c.key)
    return { path: keys.join('.'), expected: e.context.at(-1)?.type.name ?? '', value: e.value }
  })
}

/** A sample of `type` with some payload fields replaced (an invalid value, on purpose). */
const withPayload = (type: EventType, patch: Record<string, unknown>): unknown => {
  const e = sampleEvent(type)
  return { ...e, payload: { ...e.payload, ...patch } }
}

const ALL_BROKERS: readonly BrokerKind[] = ['simulated', 'upstox']

describe('EVENT_TYPES', () => {
  it('lists 29 distinct types, the same set as the DomainEvent union', () => {
    expect(EVENT_TYPES).toHaveLength(29)
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length)
    expect(EVENT_TYPES).toEqual(DomainEvent.types.map((c) => c.props.type.value))
  })
})

describe('given the sample of every event type', () => {
  it.each(EVENT_TYPES)('%s: the sample has that type and decodes to itself', (type) => {
    const sample = sampleEvent(type)
    expect(sample.type).toBe(type)
    const decoded = DomainEvent.decode(sample)
    expect(PathReporter.report(decoded)).toEqual(['No errors!'])
    expect(E.isRight(decoded) && decoded.right).toEqual(sample)
  })

  it.each(EVENT_TYPES)('%s: the sample decodes as a journal envelope and as a draft', (type) => {
    const sample = sampleEvent(type)
    const ts = Date.UTC(2025, 0, 2, 3, 45)
    expect(failuresOf(Envelope.decode({ ...sample, seq: 7, ts, causationId: 6, correlationId: 'x' }))).toEqual([])
    expect(failuresOf(EventDraftCodec.decode({ ...sample, ts }))).toEqual([])
  })

  it.each(EVENT_TYPES)('%s: every *Paise field of the sample is an integer', (type) => {
    for (const [key, value] of Object.entries(sampleEvent(type).payload)) {
      if (key.endsWith('Paise')) expect(Number.isSafeInteger(value), key).toBe(true)
    }
  })

  it('each call returns a fresh object, so a test may change it freely', () => {
    const a = sampleEvent('BarClosed')
    const b = sampleEvent('BarClosed')
    expect(a).toEqual(b)
    expect(a.payload).not.toBe(b.payload)
  })
})

describe('given invalid events, then decoding fails and the error names the field, the rule and the value', () => {
  it.each([
    ['a negative price', 'TickReceived', { ltpPaise: -122305 }, 'payload.ltpPaise', 'PricePaise', -122305],
    ['a zero price', 'BarClosed', { lowPaise: 0 }, 'payload.lowPaise', 'PricePaise', 0],
    [
      'a price in rupees (non-integer paise)',
      'BarClosed',
      { closePaise: 1223.05 },
      'payload.closePaise',
      'PricePaise',
      1223.05,
    ],
    ['non-integer fees', 'OrderFilled', { feesPaise: 80.2 }, 'payload.feesPaise', 'NonNegativePaise', 80.2],
    ['negative fees', 'OrderFilled', { feesPaise: -802 }, 'payload.feesPaise', 'NonNegativePaise', -802],
    [
      'non-integer capital',
      'RunStarted',
      { capitalPaise: 100_000_000.5 },
      'payload.capitalPaise',
      'Paise',
      100_000_000.5,
    ],
    [
      'a bare symbol as instrument key',
      'OrderRequested',
      { instrumentKey: 'RELIANCE' },
      'payload.instrumentKey',
      'InstrumentKey',
      'RELIANCE',
    ],
    [
      'a bad key in a list',
      'StrategyConfigured',
      { instruments: ['NSE_EQ|'] },
      'payload.instruments.0',
      'InstrumentKey',
      'NSE_EQ|',
    ],
    ['a fractional quantity', 'OrderRequested', { qty: 2.5 }, 'payload.qty', 'Qty', 2.5],
    ['confidence above 1', 'SignalEmitted', { confidence: 1.5 }, 'payload.confidence', 'Confidence', 1.5],
    [
      'an unknown timeframe',
      'BarClosed',
      { timeframe: '2m' },
      'payload.timeframe',
      '"1m" | "3m" | "5m" | "15m" | "30m" | "1h" | "1d"',
      '2m',
    ],
    ['a missing field', 'OrderSubmitted', { venue: undefined }, 'payload.venue', 'string', undefined],
  ] as const)('%s (%s)', (_why, type, patch, path, expected, value) => {
    const failures = failuresOf(DomainEvent.decode(withPayload(type, patch)))
    expect(failures).toEqual([{ path, expected, value }])
    // The reporter's text carries the same facts.
    const [message] = PathReporter.report(DomainEvent.decode(withPayload(type, patch)))
    expect(message).toContain(`${path.split('.').at(-1)}: ${expected}`)
  })

  it('an unknown type fails once, at the top, showing the unknown type', () => {
    const bogus = { type: 'OrderTeleported', payload: sampleEvent('OrderSubmitted').payload }
    const result = DomainEvent.decode(bogus)
    const failures = failuresOf(result)
    expect(failures).toHaveLength(1)
    expect(failures[0]?.path).toBe('')
    expect(failures[0]?.value).toBe(bogus)
    expect(PathReporter.report(result)[0]).toContain('"type":"OrderTeleported"')
  })

  it('a missing type or a non-object fails', () => {
    expect(E.isLeft(DomainEvent.decode({ payload: sampleEvent('TimerFired').payload }))).toBe(true)
    expect(E.isLeft(DomainEvent.decode(null))).toBe(true)
    expect(E.isLeft(DomainEvent.decode('TimerFired'))).toBe(true)
  })

  it('an envelope with seq 0 or a negative timestamp fails on that field', () => {
    const sample = sampleEvent('TimerFired')
    expect(failuresOf(Envelope.decode({ ...sample, seq: 0, ts: 1 }))).toEqual([
      { path: 'seq', expected: 'Seq', value: 0 },
    ])
    expect(failuresOf(Envelope.decode({ ...sample, seq: 1, ts: -1 }))).toEqual([
      { path: 'ts', expected: 'EpochMs', value: -1 },
    ])
  })
})

describe('eventOrigin: inputs come from the world, decisions are re-derived on replay', () => {
  const INPUTS: readonly EventType[] = [
    'TickReceived',
    'BarClosed',
    'FeedStatusChanged',
    'SessionPhaseChanged',
    'TimerFired',
    'StrategyConfigured',
    'RiskLimitsConfigured',
    'SimulatorConfigured',
    'RunStarted',
    'RunEnded',
  ]
  const DECISIONS: readonly EventType[] = [
    'SignalEmitted',
    'ExitTriggered',
    'OrderRequested',
    'OrderDenied',
    'OrderSubmitted',
    'OrderCancelRequested',
    'OrderModifyRequested',
    'OrderModifyDenied',
    'RiskLimitBreached',
  ]
  /** Decisions when a rule acted, inputs when an operator did. */
  const BY_SOURCE: readonly ('KillSwitchEngaged' | 'KillSwitchReleased')[] = ['KillSwitchEngaged', 'KillSwitchReleased']
  /** Decisions of the in-loop simulator, inputs from a real venue. */
  const BY_BROKER: readonly EventType[] = [
    'OrderAccepted',
    'OrderRejected',
    'OrderUpdated',
    'OrderCancelled',
    'OrderFilled',
    'OrderExpired',
    'OrderModified',
    'OrderModifyRejected',
  ]

  it('the four groups cover every event type exactly once', () => {
    const grouped = [...INPUTS, ...DECISIONS, ...BY_SOURCE, ...BY_BROKER]
    expect(new Set(grouped).size).toBe(grouped.length)
    expect([...grouped].sort()).toEqual([...EVENT_TYPES].sort())
  })

  it.each(INPUTS)('%s is an input whatever the broker', (type) => {
    for (const broker of ALL_BROKERS) expect(eventOrigin(sampleEvent(type), broker)).toBe('input')
  })

  it.each(DECISIONS)('%s is a decision whatever the broker', (type) => {
    for (const broker of ALL_BROKERS) expect(eventOrigin(sampleEvent(type), broker)).toBe('decision')
  })

  it.each(BY_SOURCE)('%s is an input from an operator and a decision from a rule, whatever the broker', (type) => {
    const expected: Record<'operator' | 'rule', EventOrigin> = { operator: 'input', rule: 'decision' }
    for (const source of ['operator', 'rule'] as const) {
      const base = sampleEvent(type)
      const event = { ...base, payload: { ...base.payload, source } }
      for (const broker of ALL_BROKERS) expect(eventOrigin(event, broker)).toBe(expected[source])
    }
  })

  it.each(BY_BROKER)('%s is a decision with the simulated broker and an input from Upstox', (type) => {
    expect(eventOrigin(sampleEvent(type), 'simulated')).toBe('decision')
    expect(eventOrigin(sampleEvent(type), 'upstox')).toBe('input')
  })
})
