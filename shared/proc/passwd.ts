/** /etc/passwd: "name:password:uid:gid:gecos:home:shell". */

export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const uid = Number(parts[2]);
    if (parts[0] && /^\d+$/.test(parts[2]!) && !users.has(uid)) users.set(uid, parts[0]);
  }
  return users;
}
