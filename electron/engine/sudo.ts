/** What sudo's stderr means when it would not run the collector: the same words for an SSH session and a command. */
import type { ProcscopeError } from '../../shared/errors';
import { visibleText } from '../../shared/visible';

export function sudoFailure(target: string, stderr: string): ProcscopeError | null {
  if (/password is required|a terminal is required|askpass/i.test(stderr)) {
    return { kind: 'auth', message: `sudo on ${target} asks for a password.`, hint: 'Allow the collector without one (a NOPASSWD rule in sudoers for this user), or log in as root and leave out --sudo.' };
  }
  if (/not in the sudoers|may not run sudo|is not allowed to execute|sudo: .*not found/i.test(stderr)) {
    const said = visibleText(stderr.trim().split('\n').slice(-2).join(' / '));
    return { kind: 'permission-denied', message: `sudo on ${target} refused: ${said}`, hint: 'Log in as a user allowed to run sudo, or as root without --sudo.' };
  }
  return null;
}
