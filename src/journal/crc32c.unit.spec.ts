import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'

/** CRC-32C one bit at a time: slow and obviously right, to check the slicing-by-8 tables against. */
const reference = (buf: Uint8Array, start: number, end: number): number => {
  let crc = 0xffffffff
  for (let i = start; i < end; i++) {
    crc ^= buf[i]!
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1
  }
  return (crc ^ 0xffffffff) >>> 0
}

describe('crc32c', () => {
  it.each([
    { what: 'the check string "123456789"', bytes: Buffer.from('123456789'), crc: 0xe3069283 },
    { what: '32 zero bytes (RFC 3720)', bytes: Buffer.alloc(32), crc: 0x8a9136aa },
    { what: '32 0xff bytes (RFC 3720)', bytes: Buffer.alloc(32, 0xff), crc: 0x62a8ab43 },
    { what: '0..31 (RFC 3720)', bytes: Buffer.from(Array.from({ length: 32 }, (_, i) => i)), crc: 0x46dd794e },
    { what: '31..0 (RFC 3720)', bytes: Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), crc: 0x113fdb5c },
    { what: 'nothing', bytes: Buffer.alloc(0), crc: 0 },
  ])('gives the known checksum of $what', ({ bytes, crc }) => {
    expect(crc32c(bytes, 0, bytes.length)).toBe(crc)
  })

  it('checksums exactly the range it is given, matching a bitwise reference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const [start, end] = [a % (bytes.length + 1), b % (bytes.length + 1)].sort((x, y) => x - y) as [number, number]
        expect(crc32c(bytes, start, end)).toBe(reference(bytes, start, end))
      }),
      { numRuns: 300 },
    )
  })
})
