import * as E from 'fp-ts/lib/Either.js'
import type { TickFileUnreadable } from './tickFileTypes.js'

// Columns are found by header name, not position, so a file with the columns in another order still reads; a
// missing required column makes the whole file unreadable (line 1).

export const columnIndex = <K extends string>(
  headerLine: string | undefined,
  required: readonly K[],
): E.Either<TickFileUnreadable, Readonly<Record<K, number>>> => {
  if (headerLine === undefined || headerLine.trim() === '')
    return E.left({ _tag: 'TickFileUnreadable', line: 1, reason: 'empty file: expected a header line' })
  const names = headerLine.split(',').map((n) => n.trim())
  const idx = {} as Record<K, number>
  const missing: string[] = []
  for (const k of required) {
    const i = names.indexOf(k)
    if (i < 0) missing.push(k)
    else idx[k] = i
  }
  return missing.length > 0
    ? E.left({ _tag: 'TickFileUnreadable', line: 1, reason: `header lacks column(s) ${missing.join(', ')}` })
    : E.right(idx)
}
