import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_NODE_ID } from '../../../shared/api';
import { type SlowNames, slowNamesRoot } from '../../../test/helpers/slow-names';
import { makeTempDir } from '../../../test/helpers/sshd';
import { inProcessApi } from '../../test/in-process-api';
import { type AppStore, type Tab, createAppStore, isStale } from '.';

const FULL_READ_MS = 2500;

async function connected(store: AppStore, nodeId = LOCAL_NODE_ID): Promise<Tab> {
  await store.getState().connect(nodeId);
  const { activeTab, tabs } = store.getState();
  return tabs.get(activeTab!)!;
}

const tabOf = (store: AppStore, id: string) => store.getState().tabs.get(id);

describe('the store, against the real service', () => {
  it('connects to this machine, collects, and selects a process in that tab only', async () => {
    const store = createAppStore(inProcessApi());
    await store.ready;
    expect(store.getState().capabilities).toEqual({ transport: 'browser', canRememberSecrets: false, whyNotRemembered: 'this mode has no system keychain' });
    const tab = await connected(store);
    expect(tab.status?.state).toBe('connected');
    expect(tab.index?.byPid.get(process.pid)?.cmdline.length).toBeGreaterThan(0);
    const before = store.getState().tabs;
    store.getState().selectProcess(process.pid, true);
    expect(store.getState().views.get(tab.id)).toMatchObject({ selectedPid: process.pid, detailOpen: true });
    store.getState().patchTab(tab.id, { loading: false });
    expect(store.getState().tabs).not.toBe(before);
    expect(before.get(tab.id)).toBe(tab);
    await store.getState().closeTab(tab.id);
  });

  it('saves, edits and refuses a bad node with a message', async () => {
    const store = createAppStore(inProcessApi());
    expect(await store.getState().saveNode({ id: 'n1', name: 'web', host: '10.0.0.5', auth: 'agent', port: 2222 })).toBe(true);
    expect(await store.getState().saveNode({ id: 'n1', name: 'web-1', host: '10.0.0.6', auth: 'agent' })).toBe(true);
    expect(store.getState().nodes.map((n) => [n.name, n.host])).toEqual([['web-1', '10.0.0.6']]);
    expect(await store.getState().saveNode({ id: 'n2', name: 'evil', host: '-oProxyCommand=touch /tmp/x', auth: 'agent' })).toBe(false);
    expect(store.getState().notice?.text).toMatch(/Invalid argument: host/);
  });

  it('keeps the last data and shows the error when a refresh fails', async () => {
    const api = inProcessApi();
    const store = createAppStore(api);
    const tab = await connected(store);
    store.getState().setLive(tab.id, false);
    await api.disconnect(tab.status!.connectionId);
    store.getState().patchTab(tab.id, { status: { ...tab.status!, state: 'connected' } });
    await store.getState().refresh(tab.id);
    const after = tabOf(store, tab.id)!;
    expect(after.index).toBe(tab.index);
    expect(after.error?.kind).toBe('not-found');
    expect(after.failures).toBe(1);
    expect(isStale(after, Date.now())).toBe(true);
  });

  it('clears the error of a failed connect once the same node connects', async () => {
    let approve = false;
    const store = createAppStore(inProcessApi({ approveCommand: async () => approve }));
    await store.getState().saveNode({ id: 'c1', name: 'via-sh', kind: 'command', host: 'command', command: 'exec /bin/sh', auth: 'agent' });
    await store.getState().connect('c1');
    expect(store.getState().notice).toMatchObject({ kind: 'error', text: expect.stringMatching(/did not approve/), nodeId: 'c1' });
    approve = true;
    const tab = await connected(store, 'c1');
    expect(tab.status?.state).toBe('connected');
    expect(store.getState().notice).toBeNull();
    await store.getState().closeTab(tab.id);
  });

  it('focuses the open tab of a node instead of opening it twice', async () => {
    const store = createAppStore(inProcessApi());
    const tab = await connected(store);
    store.getState().openSnapshot(tab.index!.snapshot, 'x.json');
    expect(store.getState().activeTab).not.toBe(tab.id);
    await store.getState().connect(LOCAL_NODE_ID);
    expect(store.getState().activeTab).toBe(tab.id);
    expect([...store.getState().tabs.values()].filter((t) => t.kind === 'live')).toHaveLength(1);
    await store.getState().closeTab(tab.id);
  });

  it('keeps filter and view per tab', async () => {
    const store = createAppStore(inProcessApi());
    const tab = await connected(store);
    store.getState().patchView({ filter: 'sshd', view: 'sockets' });
    store.getState().openSnapshot(tab.index!.snapshot, 'x.json');
    expect(store.getState().views.get(store.getState().activeTab!)).toBeUndefined();
    store.getState().patchView({ filter: 'other' });
    store.getState().setActiveTab(tab.id);
    expect(store.getState().views.get(tab.id)).toMatchObject({ filter: 'sshd', view: 'sockets' });
    await store.getState().closeTab(tab.id);
  });
});

describe('the live loop, with full reads slower than the interval', () => {
  let dir: string;
  let slow: SlowNames;
  beforeAll(() => {
    dir = makeTempDir('store-live');
    slow = slowNamesRoot(join(dir, 'names'), FULL_READ_MS);
  });
  afterAll(() => {
    slow?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes on refreshing after a full read that took several intervals', async () => {
    const store = createAppStore(inProcessApi({ namesRoot: slow.root }));
    const started = Date.now();
    const tab = await connected(store);
    expect(Date.now() - started).toBeGreaterThanOrEqual(FULL_READ_MS);
    store.getState().setLive(tab.id, true, 300);
    const fullRead = store.getState().refresh(tab.id);
    // The full read runs for ~8 intervals: each live step meanwhile is skipped, and must not end the loop.
    expect(tabOf(store, tab.id)!.loading).toBe(true);
    await fullRead;
    const afterFull = tabOf(store, tab.id)!.updatedAt!;
    const ticks = tabOf(store, tab.id)!.ticks;
    await expect.poll(() => tabOf(store, tab.id)!.ticks, { timeout: 15_000 }).toBeGreaterThan(ticks + 2);
    expect(tabOf(store, tab.id)!.updatedAt).toBeGreaterThan(afterFull);
    expect(tabOf(store, tab.id)!.error).toBeNull();
    await store.getState().closeTab(tab.id);
  });

  it('shows the first read while the first full read runs, then the whole snapshot; a later full read keeps the whole one on screen', async () => {
    const store = createAppStore(inProcessApi({ namesRoot: slow.root }));
    const connecting = store.getState().connect(LOCAL_NODE_ID);
    await expect.poll(() => store.getState().tabs.get(store.getState().activeTab ?? '')?.index?.snapshot.node.pending, { timeout: 20_000 }).toContain('sockets');
    const id = store.getState().activeTab!;
    const first = tabOf(store, id)!;
    expect(first.loading).toBe(true);
    expect(first.index!.byPid.get(process.pid)?.cmdline.length).toBeGreaterThan(0);
    expect(first.index!.snapshot.sockets).toEqual([]);
    await connecting;
    const whole = tabOf(store, id)!;
    expect(whole.loading).toBe(false);
    expect(whole.index!.snapshot.node.pending).toBeUndefined();
    expect(whole.index!.snapshot.sockets.length).toBeGreaterThan(0);
    // The first read is remembered nowhere: the history has the whole snapshot only.
    expect(whole.history.every((m) => m.snapshot.node.pending === undefined)).toBe(true);
    store.getState().setLive(id, false);
    const again = store.getState().refresh(id);
    await new Promise((r) => setTimeout(r, FULL_READ_MS / 2));
    expect(tabOf(store, id)!.index!.snapshot.node.pending).toBeUndefined();
    await again;
    await store.getState().closeTab(id);
  });

  it('goes live from the first read: a process started after it shows while the full read still runs', async () => {
    const slower = slowNamesRoot(join(dir, 'names-slower'), 4 * FULL_READ_MS);
    const store = createAppStore(inProcessApi({ namesRoot: slower.root }));
    try {
      const connecting = store.getState().connect(LOCAL_NODE_ID);
      await expect.poll(() => store.getState().tabs.get(store.getState().activeTab ?? '')?.index?.snapshot.node.pending, { timeout: 20_000 }).toContain('sockets');
      const id = store.getState().activeTab!;
      store.getState().setLive(id, true, 300);
      const late = spawn('sleep', ['60'], { stdio: 'ignore' });
      try {
        await expect.poll(() => tabOf(store, id)!.index!.byPid.has(late.pid!), { timeout: 4 * FULL_READ_MS }).toBe(true);
        // Brought in by a live refresh beside the full read, which is still running: the view still says so.
        const shown = tabOf(store, id)!;
        expect(shown.loading).toBe(true);
        expect(shown.index!.snapshot.node.pending).toContain('sockets');
        expect(shown.error).toBeNull();
        expect(shown.history.every((m) => m.snapshot.node.pending === undefined)).toBe(true);
        await connecting;
        const whole = tabOf(store, id)!;
        expect(whole.index!.snapshot.node.pending).toBeUndefined();
        // The refreshes after it carry on from the whole snapshot, the late process in it.
        await expect.poll(() => tabOf(store, id)!.index!.byPid.get(late.pid!)?.pid, { timeout: 10_000 }).toBe(late.pid);
      } finally {
        late.kill('SIGKILL');
      }
      await store.getState().closeTab(id);
    } finally {
      slower.stop();
    }
  }, 60_000);

  it("gets every number again when the connection's last refresh was another page's: a process stopped meanwhile shows stopped", async () => {
    const api = inProcessApi();
    const store = createAppStore(api);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await expect.poll(() => readFileSync(`/proc/${sleeper.pid}/comm`, 'utf8').trim()).toBe('sleep');
      const tab = await connected(store);
      store.getState().setLive(tab.id, false);
      // The loop's last tick may still be running (on a loaded machine it is): a refresh beside it is refused.
      await expect.poll(async () => (await api.refresh(tab.status!.connectionId, [])).ok, { timeout: 60_000, interval: 200 }).toBe(true);
      expect(tabOf(store, tab.id)!.index!.byPid.get(sleeper.pid!)?.state).toBe('S');
      process.kill(sleeper.pid!, 'SIGSTOP');
      await expect.poll(() => /\) T /.test(readFileSync(`/proc/${sleeper.pid}/stat`, 'latin1'))).toBe(true);
      // Another page on the same connection (procscope serve has one service for all pages) refreshes first: the
      // connection's base now has the process stopped, this page's does not.
      const other = await api.refresh(tab.status!.connectionId, []);
      expect(other.ok).toBe(true);
      await store.getState().liveTick(tab.id);
      expect(tabOf(store, tab.id)!.error).toBeNull();
      expect(tabOf(store, tab.id)!.index!.byPid.get(sleeper.pid!)?.state).toBe('T');
      await store.getState().closeTab(tab.id);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('closes a tab at once while its first full read runs, and a late status does not bring it back', async () => {
    const api = inProcessApi({ namesRoot: slow.root });
    const store = createAppStore(api);
    const statuses: string[] = [];
    api.on('connectionStatus', (s) => statuses.push(s.state));
    const connecting = store.getState().connect(LOCAL_NODE_ID);
    await expect.poll(() => statuses.includes('collecting'), { timeout: 10_000 }).toBe(true);
    const id = store.getState().activeTab!;
    await store.getState().closeTab(id);
    expect(store.getState().tabs.size).toBe(0);
    await connecting;
    expect(statuses).toContain('closed');
    expect(store.getState().tabs.size).toBe(0);
    expect(store.getState().activeTab).toBeNull();
  });
});

describe('isStale', () => {
  const base = { kind: 'live' as const, live: true, intervalMs: 2000, failures: 0, staleSince: null, updatedAt: 0 };
  it.each([
    ['fresh data', base, 5_000, false],
    ['no data for longer than several intervals', base, 11_000, true],
    ['failing refreshes', { ...base, staleSince: '2026-01-01T00:00:00Z', failures: 2 }, 1_000, true],
    ['a paused tab', { ...base, live: false }, 60_000, false],
    ['an imported snapshot', { ...base, kind: 'import' as const }, 60_000, false],
  ])('%s', (_name, tab, now, stale) => {
    expect(isStale(tab, now)).toBe(stale);
  });
});
