/** Starts test/fixtures/odd-process.js: a live process with an odd name, argv and sockets. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ODD_COMM = 'od\nd) :x'; // 8 bytes: within comm's 15
export const ODD_ARGV = ['line one\nline two', 'ünïcødé ✓ 😀', 'a)b:c', '', '--flag=x y'];

export interface OddProcess {
  pid: number;
  child: ChildProcess;
  argv: string[];
  unixPath: string;
  abstractName: string;
  filePath: string;
  fileFd: number;
  ports: { tcp4: number; tcp6: number; udp4: number; udp6: number; clientPort: number };
  stop(): void;
}

export async function startOddProcess(dir: string): Promise<OddProcess> {
  const tag = randomBytes(4).toString('hex');
  const unixPath = join(dir, `odd-${tag}.sock`);
  const abstractName = `procscope-odd-${tag}`;
  const filePath = join(dir, `odd file ${tag}\nwith newline.txt`);
  writeFileSync(filePath, 'x');
  const script = join(__dirname, '..', 'fixtures', 'odd-process.js');
  const argv = [process.execPath, script, ...ODD_ARGV];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...process.env, ODD_COMM, ODD_UNIX_PATH: unixPath, ODD_ABSTRACT: abstractName, ODD_FILE: filePath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
    });
    child.on('exit', (code) => reject(new Error(`odd process exited with ${code}`)));
  });
  const info = JSON.parse(line) as { pid: number; fileFd: number } & OddProcess['ports'];
  return {
    pid: info.pid,
    child,
    argv,
    unixPath,
    abstractName,
    filePath,
    fileFd: info.fileFd,
    ports: { tcp4: info.tcp4, tcp6: info.tcp6, udp4: info.udp4, udp6: info.udp6, clientPort: info.clientPort },
    stop: () => child.kill('SIGKILL'),
  };
}
