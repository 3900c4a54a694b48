import { randomInt } from 'node:crypto';
import { type CommandApproval, approvalQuestion } from '../../shared/approval';
import { visibleText } from '../../shared/visible';

/** Asks for a secret on the terminal without echoing it. */
export function askHidden(question: string): Promise<string | null> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    if (!stdin.isTTY) return resolve(null);
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let answer = '';
    const done = (value: string | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(answer);
        if (ch === '\u0003' || ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}


interface Question {
  text: string;
  accept(line: string): boolean;
  resolve(yes: boolean): void;
}

/**
 * The terminal's questions, one at a time: a line typed answers exactly the question shown, and a line typed while
 * none is shown answers nothing (it is dropped, so "y" typed ahead never approves what comes next).
 */
const waiting: Question[] = [];
let shown: Question | null = null;
let typed = '';
let listening = false;

function onLine(line: string): void {
  const question = shown;
  if (!question) return;
  shown = null;
  question.resolve(question.accept(line));
  showNext();
}

function onData(chunk: string): void {
  typed += chunk;
  for (let nl = typed.indexOf('\n'); nl >= 0; nl = typed.indexOf('\n')) {
    const line = typed.slice(0, nl);
    typed = typed.slice(nl + 1);
    onLine(line);
  }
}

function showNext(): void {
  const stdin = process.stdin;
  shown = waiting.shift() ?? null;
  typed = '';
  if (!shown) {
    stdin.off('data', onData);
    listening = false;
    stdin.pause();
    return;
  }
  process.stderr.write(shown.text);
  if (!listening) {
    stdin.setEncoding('utf8');
    stdin.on('data', onData);
    listening = true;
  }
  stdin.resume();
}

/** Puts a question on the terminal once those before it are answered; no terminal answers no. */
function ask(text: string, accept: (line: string) => boolean): Promise<boolean> {
  if (!process.stdin.isTTY) return Promise.resolve(false);
  return new Promise((resolve) => {
    waiting.push({ text, accept, resolve });
    if (!shown) showNext();
  });
}

/** A yes/no question; anything but "y" or "yes" is no. */
export function askYesNo(question: string): Promise<boolean> {
  return ask(question, (answer) => /^\s*y(es)?\s*$/i.test(answer));
}

const CODE_LETTERS = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A short code the person types back: an approval means this question was read, not that a key was pressed. */
export function approvalCode(): string {
  return Array.from({ length: 4 }, () => CODE_LETTERS[randomInt(CODE_LETTERS.length)]).join('');
}

/** Asks the person at the terminal to approve a program the page names; yes only when they type its code back. */
export function askApproval(approval: CommandApproval, code = approvalCode()): Promise<boolean> {
  const q = approvalQuestion(approval);
  const lines = [`procscope: ${q.title}`, `  ${visibleText(q.command)}`, ...(q.sudo ? [`  ${q.sudo}`] : []), `To run it, type ${code} and Enter; anything else refuses: `];
  return ask(lines.join('\n'), (answer) => answer.trim() === code);
}
