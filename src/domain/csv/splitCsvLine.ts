// One CSV line into fields: comma-separated, double-quoted fields may hold commas, `""` is a quote inside one.
// Shared by the calendar and the market-data importers (pure: text in, fields out).

export const splitCsvLine = (line: string): string[] => {
  if (!line.includes('"')) return line.split(',')
  const out: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      out.push(field)
      field = ''
    } else field += c
  }
  out.push(field)
  return out
}
