import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { ReportData } from './reportData.js'
import { renderReportHtml } from './reportHtml.js'

// Writes a backtest's report.json (everything, every trade) and the self-contained report.html rendered from it.

/** Writes report.json and report.html into `dir`; returns their paths. */
export const writeReport = (dir: string, r: ReportData): E.Either<string, { json: string; html: string }> => {
  try {
    mkdirSync(dir, { recursive: true })
    const json = join(dir, 'report.json')
    const html = join(dir, 'report.html')
    writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`)
    writeFileSync(html, renderReportHtml(r))
    return E.right({ json, html })
  } catch (e) {
    return E.left(`cannot write the report in ${dir}: ${(e as Error).message}`)
  }
}
