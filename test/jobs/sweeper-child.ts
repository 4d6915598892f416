import { Instance, type SentMessage } from './fixtures';

/**
 * A second server process for the sweeper test: runs the sweeper every hour of
 * simulated time on a shared database file once the parent says "go", then sends
 * back what it sent. Usage: node -r ts-node/register/transpile-only sweeper-child.ts <db> <fromMs> <toMs>
 */
async function main(): Promise<void> {
  const [file, from, to] = process.argv.slice(2);
  const log: SentMessage[] = [];
  const instance = new Instance(file, log);
  process.send?.({ ready: true });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  // Messages found due: sent by this process or refused because already claimed.
  let found = 0;
  for (let t = Number(from); t <= Number(to); t += 3_600_000) {
    const result = await instance.runOnce(t);
    found += result.sent + result.skipped.alreadySent;
  }
  await instance.close();
  await new Promise<void>((resolve, reject) => process.send?.({ log, found }, (err: Error | null) => (err ? reject(err) : resolve())));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
