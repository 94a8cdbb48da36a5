import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { type ParseTickFileOptions, parseTickFile } from './parseTickFile.js'
import type { ParsedTicks, TickFileUnreadable } from './tickFileTypes.js'

// The thin shell around the parsers: read the file (a failure is a value naming the file), parse it.

export type TickFileError =
  | { readonly _tag: 'TickFileNotRead'; readonly path: string; readonly reason: string }
  | (TickFileUnreadable & { readonly path: string })

export const readTickFile = (
  path: string,
  options: ParseTickFileOptions = {},
): E.Either<TickFileError, ParsedTicks> => {
  const text = E.tryCatch(
    () => readFileSync(path, 'utf8'),
    (e): TickFileError => ({ _tag: 'TickFileNotRead', path, reason: e instanceof Error ? e.message : String(e) }),
  )
  if (E.isLeft(text)) return text
  const parsed = parseTickFile(text.right, options)
  return E.isLeft(parsed) ? E.left({ ...parsed.left, path }) : parsed
}
