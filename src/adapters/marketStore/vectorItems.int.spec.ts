import { DuckDBInstance, DuckDBTypeId } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkColumnTypes, float64Column, int32Column } from './vectorItems.js'

// The raw column reads trust the widths they are given, so the type check in front of them is what keeps a changed
// query from reading past a vector: both are tested on a real (in-memory) DuckDB result of more than one chunk.

const { DOUBLE, INTEGER, BIGINT } = DuckDBTypeId
const ROWS = 5000 // three chunks of at most 2,048 rows
const SQL = `SELECT i::INTEGER AS k, (i * 1.5)::DOUBLE AS price FROM range(${ROWS}) t(i) ORDER BY i`

let instance: DuckDBInstance
beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:')
})
afterAll(() => instance.closeSync())

describe('raw column reads', () => {
  it('read every INTEGER and DOUBLE of every chunk, as the library reads them', async () => {
    const conn = await instance.connect()
    const result = await conn.stream(SQL)
    expect(checkColumnTypes(result, [INTEGER, DOUBLE])).toBeUndefined()
    const ks: number[] = []
    const prices: number[] = []
    let chunks = 0
    for (;;) {
      const chunk = await result.fetchChunk()
      if (chunk === null || chunk.rowCount === 0) break
      chunks++
      const n = chunk.rowCount
      const k = int32Column(chunk, 0, n)
      const p = float64Column(chunk, 1, n)
      expect(k.length).toBe(n)
      // The library's own per-value reads of the same chunk.
      expect([...k]).toEqual(chunk.getColumnValues(0))
      expect([...p]).toEqual(chunk.getColumnValues(1))
      ks.push(...k)
      prices.push(...p)
    }
    expect(chunks).toBeGreaterThan(1)
    expect(ks).toEqual(Array.from({ length: ROWS }, (_, i) => i))
    expect(prices[ROWS - 1]).toBe((ROWS - 1) * 1.5)
    conn.closeSync()
  })

  it('a column is a copy: it keeps its values after the next chunk is fetched', async () => {
    const conn = await instance.connect()
    const result = await conn.stream(SQL)
    const first = await result.fetchChunk()
    const k = int32Column(first!, 0, first!.rowCount)
    const before = [...k]
    await result.fetchChunk()
    await result.fetchChunk()
    expect([...k]).toEqual(before)
    expect(k[10]).toBe(10)
    conn.closeSync()
  })

  it('checkColumnTypes names the column whose type differs, and a wrong column count', async () => {
    const conn = await instance.connect()
    const result = await conn.stream(SQL.replace('i::INTEGER', 'i::BIGINT'))
    expect(checkColumnTypes(result, [INTEGER, DOUBLE])).toBe('column 0 (k): expected INTEGER, got BIGINT')
    expect(checkColumnTypes(result, [BIGINT, DOUBLE])).toBeUndefined()
    expect(checkColumnTypes(result, [BIGINT])).toBe('expected 1 columns, got 2')
    conn.closeSync()
  })
})
