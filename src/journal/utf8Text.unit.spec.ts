import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TextCache, utf8Length, writeText } from './utf8Text.js'

describe('UTF-8 text in records', () => {
  it('reads through its cache exactly what a strict UTF-8 decoder reads, for any strings in any order', () => {
    fc.assert(
      fc.property(
        // Few distinct strings, read many times: the cache is hit, and short strings of equal length collide.
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 60 }),
        (strings, order) => {
          // given the strings written one after another, and a cache reading them in a random order
          const buf = Buffer.alloc(strings.reduce((n, s) => n + 3 * s.length, 0) + 1)
          const spans: [number, number][] = []
          let at = 0
          for (const s of strings) {
            const len = writeText(buf, s, at)
            spans.push([at, at + len])
            at += len
          }
          const cache = new TextCache()
          for (const k of order) {
            const [from, to] = spans[k % spans.length]!
            // then each read is the string written there
            expect(cache.read(buf, from, to)).toBe(
              new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(from, to)),
            )
            expect(cache.read(buf, from, to)).toBe(Buffer.from(strings[k % spans.length]!).toString('utf8'))
          }
        },
      ),
    )
  })

  it('tells apart strings that share a slot, and refuses bytes that are not UTF-8', () => {
    // given 5,000 distinct short ids (more than the cache's 4,096 slots, so some share one) read twice
    const ids = Array.from({ length: 5000 }, (_, i) => `ord-${i}`)
    const buf = Buffer.from(ids.join(''))
    const cache = new TextCache()
    let from = 0
    const spans = ids.map((id) => {
      from += id.length
      return [from - id.length, from] as const
    })
    const reads = [...spans, ...spans].map(([from, to]) => cache.read(buf, from, to))

    // then every read is its own id; and a lone continuation byte or a cut sequence is undefined
    expect(reads).toEqual([...ids, ...ids])
    expect(cache.read(Buffer.from([0x61, 0x80]), 0, 2)).toBeUndefined()
    expect(cache.read(Buffer.from('é'), 0, 1)).toBeUndefined()
    expect(utf8Length('ré-entrée')).toBe(11)
  })

  it('writes a short string that turns non-ASCII part-way as its UTF-8, not as the ASCII copied before it', () => {
    // given room for 3 bytes a unit, as the records give, over bytes that are not zero
    for (const s of ['BUY', 'ord-é', 'abc\u20ac', 'x\ud83d\ude00y', '\u00e9']) {
      const buf = Buffer.alloc(3 * s.length + 2, 0xaa)
      // then the length and the bytes are Buffer's own, and nothing past them is touched
      const len = writeText(buf, s, 1)
      expect([len, buf.subarray(1, 1 + len).toString('hex')]).toEqual([
        Buffer.byteLength(s),
        Buffer.from(s).toString('hex'),
      ])
      expect(buf[0]).toBe(0xaa)
    }
  })
})
