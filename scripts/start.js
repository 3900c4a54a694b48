#!/usr/bin/env node
// `npm start`: open the desktop app. Electron's binary is fetched on first use; where it cannot be
// (no internet, a proxy), say so in one line and point to the browser mode, instead of a download's stack trace.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const path = require('node:path');

const electronDir = path.dirname(require.resolve('electron/package.json'));
const pathFile = path.join(electronDir, 'path.txt');

function binary() {
  if (!existsSync(pathFile)) return null;
  const file = path.join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(file) ? file : null;
}

/** The line of the installer's output that says why: its last error message, without the stack. */
function reasonOf(output) {
  const lines = output.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at '));
  return (lines.reverse().find((l) => /error|fail|refused|timed? ?out|ENOTFOUND|EAI_AGAIN/i.test(l)) || lines[0] || 'no reason given').slice(0, 200);
}

let electron = binary();
if (!electron) {
  if (process.stdout.isTTY) process.stdout.write("procscope: fetching Electron's binary (first start)…\n");
  const install = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8', timeout: 10 * 60_000 });
  electron = binary();
  if (!electron) {
    const needs = JSON.parse(readFileSync(path.join(electronDir, 'package.json'), 'utf8')).engines?.node;
    const reason = reasonOf(`${install.stdout ?? ''}\n${install.stderr ?? ''}\n${install.error?.message ?? ''}`);
    process.stderr.write(
      `procscope: Electron's binary could not be fetched (${reason}${needs ? `; Electron's installer wants Node.js ${needs}, this is ${process.version}` : ''}); ` +
        'the same app runs in a browser: npx procscope serve\n',
    );
    process.exit(1);
  }
}
const child = spawn(electron, [path.join(__dirname, '..')], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
