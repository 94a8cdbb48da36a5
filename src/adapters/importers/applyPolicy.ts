import * as E from 'fp-ts/lib/Either.js'
import type { BarRow } from '../marketStore/index.js'
import type { LineBar, RowIssue } from './importTypes.js'
import type { Inspection } from './inspectBars.js'

// What happens to rows that parsed but look wrong (see inspectBars.ts):
// - `reject`: any such row rejects the whole file (nothing is written);
// - `skip`: the row is left out, and listed;
// - `flag`: the row is kept with its `BAR_FLAGS` bits set, and listed. A duplicate timestamp cannot be stored twice,
//   so under `flag` the first row for a timestamp is kept (flagged) and later ones are left out (and listed).
// Nothing is silently fixed: every affected row appears in `skipped` or `flagged`.

export type RowPolicy = 'reject' | 'skip' | 'flag'
export const ROW_POLICIES: readonly RowPolicy[] = ['reject', 'skip', 'flag']

export interface PolicyRejection {
  readonly _tag: 'RejectedByPolicy'
  readonly line: number
  readonly reason: string
  readonly issues: readonly RowIssue[]
}

export interface PolicyOutcome {
  readonly bars: readonly BarRow[]
  readonly skipped: readonly RowIssue[]
  readonly flagged: readonly RowIssue[]
}

/** The `reject` policy's verdict on a file with issues (at least one), naming the first and counting the rest. */
export const policyRejection = (issues: readonly RowIssue[]): PolicyRejection => {
  const first = issues[0] as RowIssue
  return {
    _tag: 'RejectedByPolicy',
    line: first.line,
    reason: `${first.kind}: ${first.detail}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    issues,
  }
}

export const applyPolicy = (
  bars: readonly LineBar[],
  inspection: Inspection,
  policy: RowPolicy,
): E.Either<PolicyRejection, PolicyOutcome> => {
  const { issues, flags } = inspection
  if (issues.length === 0) return E.right({ bars, skipped: [], flagged: [] })
  if (policy === 'reject') return E.left(policyRejection(issues))
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
    if (f === 0) {
      kept.push(b)
      continue
    }
    const own = byLine.get(b.line) ?? []
    const isLaterDuplicate = own.some((x) => x.kind === 'duplicateTimestamp')
    if (policy === 'skip' || isLaterDuplicate) {
      skipped.push(...own)
      continue
    }
    flagged.push(...own)
    kept.push({ ...b, flags: b.flags | f })
  }
  return E.right({ bars: kept, skipped, flagged })
}
