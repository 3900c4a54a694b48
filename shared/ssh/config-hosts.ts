/**
 * The Host names and Include patterns of an ssh_config text, for "Import ~/.ssh/config": the names a user can
 * connect to (patterns with * ? ! are left out), and the files to read next. Keywords are case-insensitive and
 * may be followed by "=" (ssh_config(5)); arguments may be double-quoted.
 */

export interface ConfigHostsScan {
  hosts: string[];
  includes: string[];
}

/** ssh_config's argument splitting: whitespace-separated, "double quotes" group. */
export function splitConfigArgs(text: string): string[] {
  const args: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) args.push(m[1] ?? m[2]!);
  return args;
}

/**
 * An Include inside a `Host x` or `Match` block is read only when connecting to a host that block matches, so the
 * names it declares are not destinations of their own: only Includes that apply to every host (before the first
 * block, or under `Host *` / `Match all`) are followed.
 */
export function scanConfigHosts(text: string): ConfigHostsScan {
  const hosts: string[] = [];
  const includes: string[] = [];
  let everyHost = true;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const keyword = m[1]!.toLowerCase();
    const args = splitConfigArgs(m[2]!);
    if (keyword === 'host') {
      everyHost = args.length === 1 && args[0] === '*';
      for (const name of args) if (!/[*?!]/.test(name) && !hosts.includes(name)) hosts.push(name);
    } else if (keyword === 'match') everyHost = args.length === 1 && args[0]!.toLowerCase() === 'all';
    else if (keyword === 'include' && everyHost) includes.push(...args);
  }
  return { hosts, includes };
}
