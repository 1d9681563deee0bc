/** Number formatting for RESULTS.md. */
import type { Spread } from '../lib/stats.ts'

export const fmt = (v: number, unit: string): string => {
  if (Number.isNaN(v)) return '–'
  if (v === Number.POSITIVE_INFINITY) return '∞ (lost)'
  if (unit === 'upd/s' || unit === 'conn/s' || unit === 'count') return Math.round(v).toLocaleString('en-US')
  // The precision follows the magnitude the value rounds to: 9.999 is shown as 10.0, not 10.00.
  const abs = Math.abs(v)
  if (abs >= 99.95) return v.toFixed(0)
  if (abs >= 9.995) return v.toFixed(1)
  return v.toFixed(2)
}

export const fmtSpread = (s: Spread | undefined, unit: string): string => {
  if (!s || s.runs.length === 0) return '–'
  if (s.runs.length === 1 || s.min === s.max) return fmt(s.median, unit)
  return `${fmt(s.median, unit)} (${fmt(s.min, unit)}–${fmt(s.max, unit)})`
}

export const fmtRatio = (s: Spread): string => {
  if (s.runs.length === 0) return '–'
  const one = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : v > 0 ? '∞' : '–')
  return s.runs.length === 1 || s.min === s.max
    ? one(s.median)
    : `${one(s.median)} (${one(s.min)}–${one(s.max)})`
}
