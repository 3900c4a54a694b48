/**
 * The actions slice: signals and renice for processes of a live tab. A request names the processes as the tab showed
 * them (pid and start time): the node acts only where the pid is still that process. The node's own answer for
 * each process is shown, and the tab refreshes.
 */
import type { StoreApi } from 'zustand';
import type { ActionResult, ProcessAction } from '../../../shared/actions/actions';
import type { ApiClient } from '../../../shared/api';
import type { ProcscopeError } from '../../../shared/errors';
import type { State } from './state';

export interface ActionSubject {
  pid: number;
  startTicks: number;
  name: string;
  user: string;
  container: string | null;
}

export interface ActionRequest {
  tabId: string;
  node: string;
  subjects: ActionSubject[];
  /** processes asked for that cannot be acted on (no start time known, procscope's own collector) */
  leftOut: string[];
  running: boolean;
  results: ActionResult[] | null;
  error: ProcscopeError | null;
}

export interface ActionsSlice {
  actionRequest: ActionRequest | null;
  /** opens the confirmation for these pids of the active tab */
  requestAction(pids: number[]): void;
  closeAction(): void;
  runAction(action: ProcessAction): Promise<void>;
}

type SetState = StoreApi<State>['setState'];
type GetState = StoreApi<State>['getState'];

/** Whether the active tab can act: live, connected, and its node allows actions. */
export function canAct(s: State): boolean {
  const tab = s.activeTab ? s.tabs.get(s.activeTab) : undefined;
  if (!tab || tab.kind !== 'live' || !tab.status || tab.past) return false;
  return !s.nodes.find((n) => n.id === tab.nodeId)?.readOnly;
}

export function actionsSlice(set: SetState, get: GetState, api: ApiClient): ActionsSlice {
  return {
    actionRequest: null,
    requestAction(pids) {
      const s = get();
      const tab = s.activeTab ? s.tabs.get(s.activeTab) : undefined;
      if (!tab?.index || !canAct(s)) return;
      const subjects: ActionSubject[] = [];
      const leftOut: string[] = [];
      for (const pid of pids) {
        const p = tab.index.byPid.get(pid);
        if (!p) continue;
        if (p.collector) leftOut.push(`${pid} (procscope's own collector)`);
        else if (p.startTicks == null) leftOut.push(`${pid} (its start time was not read)`);
        else {
          const c = p.containerId ? tab.index.containerById.get(p.containerId) : undefined;
          subjects.push({ pid, startTicks: p.startTicks, name: p.name, user: p.user ?? String(p.uid), container: c ? (c.name ?? c.id.slice(0, 12)) : null });
        }
      }
      set({ actionRequest: { tabId: tab.id, node: tab.label, subjects, leftOut, running: false, results: null, error: null } });
    },
    closeAction: () => set({ actionRequest: null }),
    async runAction(action) {
      const req = get().actionRequest;
      const tab = req ? get().tabs.get(req.tabId) : undefined;
      if (!req || !tab?.status || req.running || req.subjects.length === 0) return;
      set({ actionRequest: { ...req, running: true, error: null } });
      const result = await api.actOnProcesses(tab.status.connectionId, req.subjects.map(({ pid, startTicks }) => ({ pid, startTicks })), action);
      const now = get().actionRequest;
      if (now?.tabId !== req.tabId) return;
      set({ actionRequest: { ...now, running: false, results: result.ok ? result.value : null, error: result.ok ? null : result.error } });
      if (result.ok) void get().liveTick(req.tabId);
    },
  };
}
