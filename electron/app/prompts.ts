/**
 * Questions the main process asks the user (an unknown host key, a password) and their answers. Each prompt
 * has a kind, and an answer is taken only for a prompt of its own kind: a secret never answers a host-key prompt.
 */
import type { HostKeyDecision } from '../../shared/api';
import { fail } from '../../shared/errors';
import { newId } from './stores';

export interface PromptAnswers {
  'host-key': HostKeyDecision;
  secret: { secret: string | null; remember: boolean };
}
export type PromptKind = keyof PromptAnswers;

interface Waiting {
  kind: PromptKind;
  owner: string;
  resolve(answer: unknown): void;
}

export function createPrompts() {
  const waiting = new Map<string, Waiting>();
  return {
    /** Sends a prompt (send gets its id) and waits for its answer; null when it is cancelled. */
    ask<K extends PromptKind>(kind: K, owner: string, send: (promptId: string) => void): Promise<PromptAnswers[K] | null> {
      const promptId = newId();
      return new Promise((resolve) => {
        waiting.set(promptId, { kind, owner, resolve: resolve as (a: unknown) => void });
        send(promptId);
      });
    },
    answer<K extends PromptKind>(kind: K, promptId: string, answer: PromptAnswers[K]): void {
      const w = waiting.get(promptId);
      if (!w) return; // answered already, or cancelled with its connection
      if (w.kind !== kind) fail({ kind: 'parse', message: `Prompt ${promptId} asks for a ${w.kind} answer, not a ${kind} one.` });
      waiting.delete(promptId);
      w.resolve(answer);
    },
    /** Answers "no" to every prompt still open for an owner (a connection that went away). */
    cancel(owner: string): void {
      for (const [id, w] of waiting) {
        if (w.owner !== owner) continue;
        waiting.delete(id);
        w.resolve(null);
      }
    },
  };
}

export type Prompts = ReturnType<typeof createPrompts>;
