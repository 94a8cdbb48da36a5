// Money on the report page, the way Indian readers group digits: the last three, then pairs (₹12,34,567).

const groupIndian = (digits: string): string => {
  if (digits.length <= 3) return digits
  const head = digits.slice(0, -3)
  const pairs = head.replace(/\B(?=(\d{2})+(?!\d))/g, ',')
  return `${pairs},${digits.slice(-3)}`
}

/** `₹1,00,000`, `-₹5,000.50`; `fractionDigits` decimals (default none), rounded. */
export const formatInr = (inr: number, fractionDigits = 0): string => {
  if (!Number.isFinite(inr)) return String(inr)
  const fixed = Math.abs(inr).toFixed(fractionDigits)
  const [int = '0', frac] = fixed.split('.')
  const sign = inr < 0 && Number(fixed) !== 0 ? '-' : ''
  return `${sign}₹${groupIndian(int)}${frac === undefined ? '' : `.${frac}`}`
}

/** Tick values for an axis over [min, max]: round steps of 1, 2 or 5 times a power of ten, about `target` of them. */
export const niceTicks = (min: number, max: number, target = 5): number[] => {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return []
  if (min === max) return [min]
  const raw = (max - min) / target
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step)
  return ticks
}
