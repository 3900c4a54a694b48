/**
 * The one gate for programs the page asks to run on this computer. The person is asked outside the page (a native
 * dialog, the serve terminal); a command a screen would show otherwise than it runs is refused before anyone is
 * asked; an approval is remembered for this run, for that command under that sudo flag only.
 */
import { type CommandApproval, approvalKey, approvalRefusal } from '../../shared/approval';
import { fail } from '../../shared/errors';

export type AskApproval = (approval: CommandApproval) => Promise<boolean>;

export function createApprovals(ask: AskApproval | undefined) {
  const approved = new Set<string>();
  return {
    /** Resolves once the person approved (now, or earlier in this run when remembered); fails otherwise, saying why. */
    async require(approval: CommandApproval, how: { what: string; remember: boolean; again: string }): Promise<void> {
      if (how.remember && approved.has(approvalKey(approval))) return;
      const refusal = approvalRefusal(approval);
      if (refusal) fail({ kind: 'permission-denied', message: `${how.what} was not run: ${refusal}.`, hint: 'Write the command with visible characters only.' });
      if (!ask) fail({ kind: 'permission-denied', message: `${how.what} was not run: this window cannot ask you to approve it.`, hint: 'Run procscope serve in a terminal (it asks there), or use the desktop app.' });
      if (!(await ask(approval))) fail({ kind: 'permission-denied', message: `You did not approve running ${how.what}${approval.sudo ? ' under sudo -n' : ''}.`, hint: how.again });
      if (how.remember) approved.add(approvalKey(approval));
    },
    has: (approval: CommandApproval) => approved.has(approvalKey(approval)),
  };
}

export type Approvals = ReturnType<typeof createApprovals>;
