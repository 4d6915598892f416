import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import type { ProvinceData } from '../config/data';
import { DEFAULT_DB_PATH } from '../config/paths';
import { openStore } from '../config/store';
import { Ledger } from '../ledger/ledger';
import { logger } from '../observability/logger';
import { createApp } from './app';

export interface ServerOptions {
  data: ProvinceData;
  port: number;
  /** HOIDAP_DB or --db; undefined means the embedded default file. */
  dbLocation?: string;
  host?: string;
}

export interface RunningServer {
  server: Server;
  port: number;
  /** Resolves when the server has shut down. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * A newcomer's `npm start` sees real-looking data at once: the demo ledger goes into
 * an empty database when the default database is used (or HOIDAP_DEMO=1 asks for it).
 * An explicitly configured database is never filled with demo data unasked.
 */
async function loadDemoIfWanted(options: ServerOptions, ledger: Ledger): Promise<void> {
  const wanted = process.env.HOIDAP_DEMO === '1' || (options.dbLocation === undefined && process.env.HOIDAP_DEMO !== '0');
  if (!wanted) return;
  const counts = await ledger.store.counts();
  if (counts.events > 0) return;
  const file = path.join(options.data.dataDir, 'demo', 'ledger-2023.jsonl');
  if (!fs.existsSync(file)) return;
  const result = await ledger.importLines(fs.readFileSync(file, 'utf8').split(/\r?\n/));
  if (result.errors.length > 0) throw new Error(`demo ledger ${file} is invalid: line ${result.errors[0].line}: ${result.errors[0].reason}`);
  logger.warn('demo data loaded into an empty database', { file, events: result.imported, questions: result.questions });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const store = await openStore(options.dbLocation ?? DEFAULT_DB_PATH);
  const ledger = new Ledger(store, options.data);
  await loadDemoIfWanted(options, ledger);
  const app = createApp({ data: options.data, store });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host ?? '0.0.0.0', () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info('hoidap listening', { port, store: store.kind });

  let closing: Promise<void> | undefined;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      logger.info('hoidap stopped');
      resolveClosed();
    })());
  const onSignal = (signal: string) => {
    logger.info('shutting down', { signal });
    void close();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { server, port, closed, close };
}
