#!/usr/bin/env node
'use strict';
const path = require('node:path');
let cli;
try {
  cli = require(path.join(__dirname, '..', 'dist', 'electron', 'cli', 'main.js'));
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('procscope: not built yet. Run "npm install" (or "npm run build") in ' + path.join(__dirname, '..') + '\n');
    process.exit(1);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write('procscope: internal error: ' + (err && err.stack || err) + '\n'); process.exitCode = 1; },
);
