import { visibleText } from '../../../shared/visible';
import { openOptionsFrom, writeStdout } from '../common';
import { HELP_OPTION, SSH_HELP, SSH_OPTIONS, UsageError, defineVerb } from '../verb';

export const resolveVerb = defineVerb({
  name: 'resolve',
  summary: 'say where TARGET leads (address, user, keys, jump hosts, known hosts), as ssh -G resolves it',
  usage: `Usage: procscope resolve TARGET [-p PORT] [-l USER] [-i KEY]... [-J HOSTS] [-F CONFIG] [--ssh-option K=V]... [--json]

Says where TARGET leads without connecting: the address, user, keys, jump hosts or ProxyCommand, and the
known-hosts files that vouch for it, as "ssh -G" resolves them (or the built-in reader, where there is no ssh).

${SSH_HELP}`,
  options: { ...HELP_OPTION, ...SSH_OPTIONS, json: { type: 'boolean' } },
  async run(positionals, values) {
    if (positionals.length !== 1) throw new UsageError('resolve takes one TARGET');
    const [{ resolveDestination }, { describeRoute }, { userInfo }] = await Promise.all([import('../../engine/ssh/resolve'), import('../../../shared/ssh/route'), import('node:os')]);
    const host = await resolveDestination(positionals[0]!, openOptionsFrom(values));
    await writeStdout(values.json ? JSON.stringify(host, null, 2) + '\n' : visibleText(describeRoute(host, userInfo().homedir)) + '\n');
    return 0;
  },
});
