/** /proc/<pid>/cmdline: argv strings, each ended by NUL. Empty for kernel threads and zombies. */

export function parseCmdline(text: string): string[] {
  if (text === '') return [];
  const body = text.endsWith('\0') ? text.slice(0, -1) : text;
  return body.split('\0');
}
