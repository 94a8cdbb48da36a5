import * as E from 'fp-ts/lib/Either.js'
import { BAR_FLAGS, type BarRow } from '../marketStore/index.js'
import type { LineBar, RowIssue } from './importTypes.js'
import type { Inspection } from './inspectBars.js'

// What happens to rows that parsed but look wrong (see inspectBars.ts):
// - `reject`: any such row rejects the whole file (nothing is written);
// - `skip`: the row is left out, and listed;
// - `flag`: the row is kept with its `BAR_FLAGS` bits set, and listed. A duplicate timestamp cannot be stored twice,
//   so under `flag` the first row for a timestamp is kept and later ones are left out (and listed). The kept row
//   carries the `duplicateTimestamp` bit and is listed too: the file disputes it, and a reader of the store should
//   see that, not a clean bar. (Under `skip` the first row is kept unflagged, as every stored row under `skip`.)
// Nothing is silently fixed: every affected row appears in `skipped` or `flagged`.

export type RowPolicy = 'reject' | 'skip' | 'flag'
export const ROW_POLICIES: readonly RowPolicy[] = ['reject', 'skip', 'flag']

export interface PolicyRejection {
  readonly _tag: 'RejectedByPolicy'
  readonly line: number
  readonly reason: string
  /** Every issue of the file, each of which would have rejected it. */
  readonly issues: readonly RowIssue[]
  /** The file's data rows (all rejected with it). */
  readonly rowsRead: number
}

export interface PolicyOutcome {
  readonly bars: readonly BarRow[]
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
}

/** The `reject` policy's verdict on a file with issues (at least one), naming the first and counting the rest. */
export const policyRejection = (issues: readonly RowIssue[], rowsRead: number): PolicyRejection => {
  const first = issues[0] as RowIssue
  return {
    _tag: 'RejectedByPolicy',
    line: first.line,
    reason: `${first.kind}: ${first.detail}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
    rowsRead,
  }
}

export const applyPolicy = (
  bars: readonly LineBar[],
  inspection: Inspection,
  policy: RowPolicy,
): E.Either<PolicyRejection, PolicyOutcome> => {
  const { issues, flags, repeated } = inspection
  if (issues.length === 0) return E.right({ bars, skipped: [], flagged: [] })
  // The parser's row count replaces the bars' when the file layer has it (parseMarketFile.ts).
  if (policy === 'reject') return E.left(policyRejection(issues, bars.length))
  const kept: BarRow[] = []
  const byLine = new Map<number, RowIssue[]>()
  for (const issue of issues) {
    const list = byLine.get(issue.line) ?? []
    list.push(issue)
    byLine.set(issue.line, list)
  }
  const skipped: RowIssue[] = []
  const flagged: RowIssue[] = []
  for (let i = 0; i < bars.length; i++) {
    const b = bars[i] as LineBar
    const f = flags[i] as number
    const later = policy === 'flag' ? repeated.get(i) : undefined
    if (f === 0 && later === undefined) {
      kept.push(b)
      continue
    }
    const own = f === 0 ? [] : (byLine.get(b.line) ?? [])
    const isLaterDuplicate = own.some((x) => x.kind === 'duplicateTimestamp')
    if (policy === 'skip' || isLaterDuplicate) {
      skipped.push(...own)
      continue
    }
    flagged.push(...own)
    if (later !== undefined) {
      flagged.push({
        line: b.line,
        kind: 'duplicateTimestamp',
        detail: `kept; line${later.length > 1 ? 's' : ''} ${later.join(', ')} with the same bar start left out`,
      })
    }
    kept.push({ ...b, flags: b.flags | f | (later === undefined ? 0 : BAR_FLAGS.duplicateTimestamp) })
  }
  return E.right({ bars: kept, skipped, flagged })
}
