/** Structured logs: one JSON object per line on stdout (stderr for warnings and errors). */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  log(level: Level, msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Where finished lines go; tests pass their own to read what would have been logged. */
export type LogSink = (line: string, level: Level) => void;

const stdio: LogSink = (line, level) => (ORDER[level] >= ORDER.warn ? process.stderr : process.stdout).write(`${line}\n`);

export function createLogger(min: Level | 'silent', sink: LogSink = stdio): Logger {
  const log = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[min]) return;
    sink(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }), level);
  };
  return {
    log,
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
