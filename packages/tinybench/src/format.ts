/** 8054 → "8,054", 48.01 → "48.0", 0.004 → "0.00": three significant figures or so, thousands separated. */
export function formatDecimal(value: number): string {
  const magnitude = Math.abs(value)
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text
}

/** A per-operation byte figure with its unit: "48.0 B/op", "812 KiB/op", "1.50 MiB/op". */
export function formatBytesPerOp(value: number): string {
  const magnitude = Math.abs(value)
  if (magnitude >= 1024 * 1024) return `${formatDecimal(value / (1024 * 1024))} MiB/op`
  if (magnitude >= 10 * 1024) return `${formatDecimal(value / 1024)} KiB/op`
  return `${formatDecimal(value)} B/op`
}
