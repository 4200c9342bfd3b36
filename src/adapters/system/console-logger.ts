// JSON lines on stderr, filtered by level. Fields are ids and counts only:
// callers never pass payloads, tokens or credentials.
import type { LogLevel } from '../../config/world-config.js';
import type { LogFields, Logger } from '../../ports/logger.js';

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
