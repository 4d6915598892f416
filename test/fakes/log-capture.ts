import { Writable } from 'node:stream';
import winston from 'winston';
import { logger } from '../../src/observability/logger';

/**
 * Captures everything the project logger writes at `level` and below (the usual
 * console output is muted meanwhile), so tests can check what never gets logged.
 */
export function captureLogs(level = 'debug'): { lines: string[]; stop(): Promise<void> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const transport = new winston.transports.Stream({ stream, level });
  const previousLevel = logger.level;
  const muted = logger.transports.filter((t) => !t.silent);
  for (const t of muted) t.silent = true;
  logger.level = level;
  logger.add(transport);
  return {
    lines,
    async stop() {
      // Let the logger's internal streams drain before detaching.
      await new Promise((resolve) => setImmediate(resolve));
      logger.remove(transport);
      logger.level = previousLevel;
      for (const t of muted) t.silent = false;
    },
  };
}
