/**
 * A program the page asks to run on this computer (a command node's command, an inventory program), as the person
 * approves it: the command, whether it runs under sudo -n, and what for. An approval holds for exactly these: a
 * page that flips the node to sudo after the command was approved is asked again.
 */
import { visibleText } from './visible';

export interface CommandApproval {
  command: string;
  /** the node's shell runs as root through sudo -n */
  sudo: boolean;
  /** what it is for, shown after "to": "reach web-1", "list the nodes of ansible:hosts" */
  purpose: string;
}

export const approvalKey = (a: CommandApproval): string => JSON.stringify([a.command, a.sudo]);

/** Why a command cannot be put to the person at all: what they would read is not what would run. */
export function approvalRefusal(a: CommandApproval): string | null {
  return visibleText(a.command) === a.command ? null : `it holds characters a screen does not show as themselves (shown escaped: ${visibleText(a.command)})`;
}

/** The question, in words a terminal or a dialog shows as they are. */
export function approvalQuestion(a: CommandApproval): { title: string; command: string; sudo: string | null } {
  return {
    title: `The page asks to run, on this computer, to ${visibleText(a.purpose)}:`,
    command: a.command,
    sudo: a.sudo ? "and then the node's shell under sudo -n, as root on the node" : null,
  };
}
