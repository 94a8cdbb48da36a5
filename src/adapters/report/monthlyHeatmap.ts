import { escapeHtml } from './escapeHtml.js'

// Monthly returns as a heat map: a row per year, a column per month and the year's compounded total; green for a
// gain and red for a loss, deeper the larger it is (relative to the largest month, so one quiet year still shows).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const colour = (pct: number, scale: number): string => {
  const a = scale === 0 ? 0 : Math.min(1, Math.abs(pct) / scale)
  const alpha = (0.12 + 0.78 * a).toFixed(2)
  return pct > 0 ? `rgba(0,137,90,${alpha})` : pct < 0 ? `rgba(200,30,45,${alpha})` : '#f3f3f3'
}

const cell = (pct: number | undefined, scale: number, title: string): string =>
  pct === undefined
    ? '<td class="hm-empty"></td>'
    : `<td class="hm" style="background:${colour(pct, scale)}" title="${escapeHtml(title)}">${pct.toFixed(2)}%</td>`

/** `monthly`: `YYYY-MM` -> return %, as in the report's metrics. */
export const monthlyHeatmap = (monthly: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(monthly).filter(([m]) => /^\d{4}-\d{2}$/.test(m))
  if (entries.length === 0) return '<p>No complete month.</p>'
  const years = [...new Set(entries.map(([m]) => m.slice(0, 4)))].sort()
  const scale = Math.max(...entries.map(([, v]) => Math.abs(v)))
  const rows = years.map((y) => {
    const months = MONTHS.map((name, i) => {
      const key = `${y}-${String(i + 1).padStart(2, '0')}`
      const v = monthly[key]
      return cell(v, scale, `${name} ${y}: ${v?.toFixed(2) ?? ''}%`)
    })
    const total =
      (MONTHS.reduce((acc, _, i) => acc * (1 + (monthly[`${y}-${String(i + 1).padStart(2, '0')}`] ?? 0) / 100), 1) -
        1) *
      100
    return `<tr><th>${escapeHtml(y)}</th>${months.join('')}${cell(total, scale, `${y} (compounded): ${total.toFixed(2)}%`).replace('class="hm"', 'class="hm total"')}</tr>`
  })
  return `<table class="heatmap"><tr><th></th>${MONTHS.map((m) => `<th>${m}</th>`).join('')}<th>Year</th></tr>${rows.join('')}</table>`
}
