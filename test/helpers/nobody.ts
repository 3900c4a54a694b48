/** A second local user for attacks: `nobody`, reached with setpriv (util-linux). */
import { execFileSync } from 'node:child_process';

export const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

/** Why this machine cannot run a command as nobody, or null. */
export function nobodyUnavailable(): string | null {
  try {
    execFileSync(AS_NOBODY[0]!, [...AS_NOBODY.slice(1), 'true']);
    return null;
  } catch (err) {
    return `cannot run as nobody with setpriv: ${(err as Error).message}`;
  }
}
