/** The views slice: what each tab shows (its view, filters, sorts, selection), kept per tab. */
import type { GetState, SetState, TabView, ViewsSlice } from './state';

export const DEFAULT_VIEW: TabView = {
  view: 'processes',
  filter: '',
  sort: { column: 'pid', descending: false },
  treeMode: false,
  collapsed: new Set(),
  selectedPid: null,
  marked: new Set(),
  detailOpen: false,
  selectedNamespace: null,
  selectedContainer: null,
  socketListeningOnly: false,
  socketProto: 'all',
  socketText: '',
  socketSort: null,
  namespaceText: '',
  namespaceSort: null,
  containerText: '',
  containerSort: null,
  changesOnly: false,
};

export function viewsSlice(set: SetState, get: GetState): ViewsSlice {
  const patchView = (patch: Partial<TabView>) =>
    set((s) => {
      if (!s.activeTab) return {};
      return { views: new Map(s.views).set(s.activeTab, { ...(s.views.get(s.activeTab) ?? DEFAULT_VIEW), ...patch }) };
    });
  const current = () => {
    const s = get();
    return (s.activeTab ? s.views.get(s.activeTab) : undefined) ?? DEFAULT_VIEW;
  };
  return {
    views: new Map(),
    patchView,
    setView: (view) => patchView({ view }),
    selectProcess: (pid, open) => patchView({ selectedPid: pid, detailOpen: open ?? (pid !== null && current().detailOpen) }),
    closeDetail: () => patchView({ detailOpen: false }),
    toggleCollapsed(pid) {
      const collapsed = new Set(current().collapsed);
      if (!collapsed.delete(pid)) collapsed.add(pid);
      patchView({ collapsed });
    },
  };
}

