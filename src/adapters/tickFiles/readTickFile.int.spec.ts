import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { readTickFile } from './readTickFile.js'

describe('readTickFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bahi-ticks-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads and parses a file, detecting its format', () => {
    const p = join(dir, '2022-11-01.csv')
    writeFileSync(p, '2022-11-01 09:15:00,100\n2022-11-01 09:15:01,101\n')
    const r = readTickFile(p)
    expect(E.isRight(r) && [r.right.format, r.right.ticks.length]).toEqual(['nifty-index-1s', 2])
  })

  it('returns a missing file as a value naming the path', () => {
    const p = join(dir, 'absent.csv')
    const r = readTickFile(p)
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'TickFileNotRead', path: p })
  })

  it('returns an unrecognised file as a value naming the path and line', () => {
    const p = join(dir, 'other.csv')
    writeFileSync(p, 'a,b\n1,2\n')
    expect(readTickFile(p)).toEqual(E.left(expect.objectContaining({ _tag: 'TickFileUnreadable', path: p, line: 1 })))
  })
})
