/**
 * The logging surface adapters need. Structurally compatible with pino (`logger.warn(details, message)`), so the
 * server passes its own logger; adapters default to the console so nothing is ever silently dropped.
 */
export interface AdapterLogger {
  warn(details: Record<string, unknown>, message: string): void
  error(details: Record<string, unknown>, message: string): void
}

export const consoleLogger: AdapterLogger = {
  warn(details, message) {
    console.warn(message, details)
  },
  error(details, message) {
    console.error(message, details)
  },
}

/** A short, log-friendly description of anything thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
