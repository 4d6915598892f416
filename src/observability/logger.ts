import winston from 'winston';

/**
 * JSON logs through winston. Callers pass a request or conversation id in the
 * metadata; a citizen's phone number or the full text of a question never goes
 * to info level.
 */
export const logger = winston.createLogger({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info'),
  format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
  defaultMeta: { service: 'hoidap' },
  transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] })],
});
