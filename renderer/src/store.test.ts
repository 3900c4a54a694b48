import { describe, expect, it } from 'vitest';
import { LOCAL_NODE_ID } from '../../shared/api';
import { inProcessApi } from '../test/in-process-api';
import { createAppStore } from './store';

describe('the store, against the real service', () => {
  it('connects to this machine, collects, and selects a process', async () => {
    const store = createAppStore();
    await store.getState().init(inProcessApi());
    expect(store.getState().capabilities).toEqual({ transport: 'browser', canRememberSecrets: false });
    await store.getState().connect(LOCAL_NODE_ID);
    const { activeTab, tabs } = store.getState();
    const tab = tabs.get(activeTab!)!;
    expect(tab.status?.state).toBe('connected');
    expect(tab.index?.byPid.get(process.pid)?.cmdline.length).toBeGreaterThan(0);
    const before = store.getState().tabs;
    store.getState().selectProcess(process.pid, true);
    expect(store.getState()).toMatchObject({ selectedPid: process.pid, detailOpen: true });
    store.getState().patchTab(activeTab!, { loading: false });
    expect(store.getState().tabs).not.toBe(before);
    expect(before.get(activeTab!)).toBe(tab);
  });

  it('saves nodes through the API and refuses a bad one with a message', async () => {
    const store = createAppStore();
    await store.getState().init(inProcessApi());
    expect(await store.getState().saveNode({ id: 'n1', name: 'web', host: '10.0.0.5', auth: 'agent', port: 2222 })).toBe(true);
    expect(store.getState().nodes.map((n) => n.name)).toEqual(['web']);
    expect(await store.getState().saveNode({ id: 'n2', name: 'evil', host: '-oProxyCommand=touch /tmp/x', auth: 'agent' })).toBe(false);
    expect(store.getState().notice?.text).toMatch(/Invalid argument: host/);
  });

  it('keeps the last data and shows the error when a refresh fails', async () => {
    const store = createAppStore();
    const api = inProcessApi();
    await store.getState().init(api);
    await store.getState().connect(LOCAL_NODE_ID);
    const id = store.getState().activeTab!;
    const index = store.getState().tabs.get(id)!.index;
    await api.disconnect(store.getState().tabs.get(id)!.status!.connectionId);
    store.getState().patchTab(id, { status: { ...store.getState().tabs.get(id)!.status!, state: 'connected' } });
    await store.getState().refresh(id);
    const tab = store.getState().tabs.get(id)!;
    expect(tab.index).toBe(index);
    expect(tab.error?.kind).toBe('not-found');
  });
});
