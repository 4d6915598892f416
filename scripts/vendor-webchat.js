#!/usr/bin/env node
'use strict';
/**
 * Build step (`npm run build`): copies Web Chat's prebuilt bundle (the botframework-webchat devDependency,
 * pinned by the lockfile) to dist/static/, where the server serves it from. A production install
 * (`npm ci --omit=dev` over a built tree) then needs neither that package nor its ~160 MB of dependencies
 * (React, the speech SDK...), which the server itself never runs.
 */
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'dist', 'static');
let source;
try {
  // The package's `exports` map hides dist/ from require.resolve: the bundle sits next to lib/.
  source = path.join(path.dirname(require.resolve('botframework-webchat', { paths: [root] })), '..', 'dist');
} catch {
  process.stderr.write('vendor-webchat: botframework-webchat is not installed (a production install?): dist/static/ left as it is\n');
  process.exit(fs.existsSync(path.join(target, 'webchat.js')) ? 0 : 1);
}
fs.mkdirSync(target, { recursive: true });
for (const name of ['webchat.js', 'webchat.js.LICENSE.txt']) fs.copyFileSync(path.join(source, name), path.join(target, name));
const version = require(path.join(source, '..', 'package.json')).version;
fs.writeFileSync(path.join(target, 'webchat.version'), `${version}\n`);
