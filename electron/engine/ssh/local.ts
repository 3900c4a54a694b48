/** This machine's side of ssh's tokens (%d %u %i %l). */
import { hostname, userInfo } from 'node:os';

export function localTokenValues(): { localHome: string; localUser: string; localUid: number; localHostname: string } {
  const me = userInfo();
  return { localHome: me.homedir, localUser: me.username, localUid: me.uid, localHostname: hostname() };
}
