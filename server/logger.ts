import { type Logger, pino } from 'pino'

export type { Logger }

/** Structured JSON logs on stdout. Secrets (tokens, passwords) are redacted wherever they appear in log objects. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'jabiru-collab' },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'headers.authorization',
        '*.headers.authorization',
      ],
      censor: '[redacted]',
    },
  })
}
