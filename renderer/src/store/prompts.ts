/** The prompts slice: host keys and secrets the main process asks this page's person about. */
import type { ApiClient } from '../../../shared/api';
import type { PromptsSlice, SetState } from './state';

export function promptsSlice(set: SetState, api: ApiClient): PromptsSlice {
  // Prompts of this page's connections only: another page's are answered there.
  api.on('hostKeyPrompt', (p) => set((s) => (s.tabs.has(p.connectionId) ? { hostKeyPrompts: [...s.hostKeyPrompts, p] } : {})));
  api.on('secretPrompt', (p) => set((s) => (s.tabs.has(p.connectionId) ? { secretPrompts: [...s.secretPrompts, p] } : {})));
  return {
    hostKeyPrompts: [],
    secretPrompts: [],
    async answerHostKey(prompt, decision) {
      set((s) => ({ hostKeyPrompts: s.hostKeyPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await api.answerHostKey(prompt.promptId, decision);
    },
    async answerSecret(prompt, secret, remember) {
      set((s) => ({ secretPrompts: s.secretPrompts.filter((p) => p.promptId !== prompt.promptId) }));
      await api.answerSecret(prompt.promptId, secret, remember);
    },
  };
}

