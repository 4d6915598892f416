#!/usr/bin/env node
'use strict';
/**
 * `prepare` (run by `npm ci`): compiles the TypeScript to dist/ and vendors Web Chat's bundle.
 * In a production install (`npm ci --omit=dev`) the compiler is absent: a tree built before is used
 * as it is; without one, the install stops with what to do.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
} catch {
  const built = fs.existsSync(path.join(root, 'dist', 'src', 'cli', 'main.js')) && fs.existsSync(path.join(root, 'dist', 'static', 'webchat.js'));
  if (built) {
    process.stdout.write('hoidap: production install, using the existing build in dist/\n');
    process.exit(0);
  }
  process.stderr.write('hoidap: dist/ is not built and TypeScript is not installed. Build first (npm ci && npm run build), then npm ci --omit=dev.\n');
  process.exit(1);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
execFileSync(process.execPath, [path.join(__dirname, 'vendor-webchat.js')], { cwd: root, stdio: 'inherit' });
