// JSON lines on stderr, filtered by level. Fields are ids and counts only:
// callers never pass payloads, tokens or credentials.
import type { LogFields, Logger } from '../../ports/logger.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export class ConsoleLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'warn',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  private log(level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.level]) return;
    this.write(JSON.stringify({ time: new Date().toISOString(), level, source: 'world-aws', message, ...fields }));
  }
}

export function parseLogLevel(raw: string | undefined): LogLevel {
  const level = (raw ?? 'warn').toLowerCase();
  if (level in RANK) return level as LogLevel;
  throw new Error(`WORKFLOW_AWS_LOG_LEVEL must be one of ${Object.keys(RANK).join(', ')}; got "${raw}"`);
}
