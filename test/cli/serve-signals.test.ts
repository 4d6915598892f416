import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../src/config/paths';
import { freePort } from '../helpers/ports';

jest.setTimeout(60_000);

/** Whether something accepts connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * `npm start` as an operator runs it, stopped the way a terminal or a service manager stops it:
 * the server itself must get the signal, finish, close its store and free its port — not be left
 * running behind an npm that has gone.
 */
describe.each(['SIGTERM', 'SIGINT'] as const)('npm start stopped with %s', (signal) => {
  test('the server shuts down cleanly and the port is free afterwards', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoidap-signal-'));
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: String(port), HOIDAP_DB: path.join(dir, 'db.sqlite'), HOIDAP_DEMO: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (output.includes('"hoidap listening"')) clearInterval(check), resolve();
          if (npm.exitCode !== null) clearInterval(check), reject(new Error(`npm start ended early:\n${output}`));
        }, 100);
      });
      expect(await listening(port)).toBe(true);
      const ended = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
      npm.kill(signal);
      await ended;
      // The server's own last words, written after its store was closed.
      for (let i = 0; i < 50 && !output.includes('"hoidap stopped"'); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(output).toContain(`"signal":"${signal}"`);
      expect(output).toContain('"hoidap stopped"');
      expect(await listening(port)).toBe(false);
    } finally {
      if (npm.exitCode === null) npm.kill('SIGKILL');
      // A server left behind by npm would keep these pipes open and the test run with them.
      npm.stdout.destroy();
      npm.stderr.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
