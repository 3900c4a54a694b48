#!/usr/bin/env node
// `npm start`: open the desktop app. Electron's binary is fetched on first use; where it cannot be
// (no internet), say so and point to the browser mode instead of failing obscurely.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

let electronPath;
try {
  electronPath = require('electron');
} catch (err) {
  process.stderr.write(
    'procscope: the Electron binary is not installed and could not be downloaded here:\n  ' +
      String((err && err.message) || err).split('\n')[0] +
      '\nUse the same app in a browser instead:  npx procscope serve\n',
  );
  process.exit(1);
}
const child = spawn(electronPath, [path.join(__dirname, '..')], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
