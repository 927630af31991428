import { pino, type Logger } from 'pino';

/**
 * Structured logs go to stderr so that stdout stays for command output (and the final `--json` line).
 */
export function createLogger(level: string = process.env.KGREC_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: undefined }, pino.destination(2));
}

export const log: Logger = createLogger();
