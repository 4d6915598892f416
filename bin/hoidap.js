#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/ (built by `npm ci` through the `prepare` script).
const path = require('node:path');
const fs = require('node:fs');
// `hoidap report ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err) => {
  if (err && err.code === 'EPIPE') process.exit(process.exitCode || 0);
  throw err;
});
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('hoidap: chưa biên dịch (dist/ không có). Chạy `npm run build` trước.\n');
  process.exit(1);
}
require(entry).main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`hoidap: ${err && err.stack ? err.stack : err}\n`); process.exitCode = 1; },
);
