// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotProcess } from '../../../shared/snapshot/types';
import { fakeSnapshot } from '../model.test';
import { indexSnapshot } from '../model';
import { useStore } from '../store';
import { ProcessDetail } from './ProcessDetail';
import { ProcessesView } from './ProcessesView';
import { ContainersView } from './ContainersView';
import { Workspace } from './Workspace';
import type { Tab } from '../store';

function proc(pid: number, extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return { pid, ppid: 1, name: `worker-${pid}`, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: ['/bin/worker', String(pid)], exe: '/bin/worker', nspid: [pid], namespaces: { net: 1 }, cgroups: [], fds: [], containerId: null, ...extra };
}

afterEach(() => {
  cleanup();
  useStore.setState({ filter: '', selectedPid: null, detailOpen: false });
});

describe('ProcessesView', () => {
  const index = indexSnapshot(fakeSnapshot(Array.from({ length: 10_000 }, (_, i) => proc(i + 1))));

  it('renders only the rows in view of 10,000, and filters as you type', () => {
    const view = render(<ProcessesView index={index} />);
    const rows = () => view.container.querySelectorAll('[role="row"]').length;
    expect(rows()).toBeGreaterThan(0);
    expect(rows()).toBeLessThan(100);
    expect(view.getByTestId('process-count').textContent).toBe('10000 of 10000 processes');
    fireEvent.change(view.getByTestId('process-filter'), { target: { value: 'worker-9999' } });
    expect(view.getByTestId('process-count').textContent).toBe('1 of 10000 processes');
    expect(view.container.querySelector('[data-key="9999"]')).not.toBeNull();
  });

  it('moves the selection with the arrow keys and opens with Enter', () => {
    const view = render(<ProcessesView index={index} />);
    const body = view.getByTestId('process-table-body');
    act(() => {
      fireEvent.keyDown(body, { key: 'ArrowDown' });
    });
    act(() => {
      fireEvent.keyDown(body, { key: 'ArrowDown' });
    });
    expect(useStore.getState().selectedPid).toBe(2);
    act(() => {
      fireEvent.keyDown(body, { key: 'Enter' });
    });
    expect(useStore.getState().detailOpen).toBe(true);
  });

  it('focuses the filter on "/"', () => {
    const view = render(<ProcessesView index={index} />);
    act(() => {
      fireEvent.keyDown(window, { key: '/' });
    });
    expect(document.activeElement).toBe(view.getByTestId('process-filter'));
  });
});

describe('ProcessDetail', () => {
  it('shows argv exactly, odd characters as escapes, and why the fds are missing', () => {
    const p = proc(7, { cmdline: ['/bin/x', 'two\nlines', '', 'bad\udcffbyte'], fds: null, fdError: 'Permission denied' });
    const index = indexSnapshot(fakeSnapshot([proc(1), p]));
    const view = render(<ProcessDetail index={index} process={p} />);
    const items = [...view.getByTestId('argv').querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual(['/bin/x', 'two\\nlines', '(empty)', 'bad\\xffbyte']);
    expect(view.getByTestId('argv').querySelectorAll('.escape')).toHaveLength(2);
    expect(view.container.textContent).toContain('could not be read: Permission denied');
  });
});

describe('what the snapshot could not be sure of', () => {
  it('shows an ambiguous unix socket without a name, a socket no table lists, unreadable namespaces and the collector', () => {
    const snap = fakeSnapshot([]);
    snap.sockets.push({ proto: 'unix', inode: 40, local: '', remote: '', state: 'UNKNOWN', pids: [7], ambiguous: true });
    const p = proc(7, {
      collector: true,
      namespacesError: 'mnt, net: Permission denied',
      fds: [
        { fd: 3, target: 'socket:[40]', socketInode: 40 },
        { fd: 4, target: 'socket:[41]', socketInode: 41, socketUnlisted: true },
      ],
    });
    snap.processes.push(proc(1), p);
    const view = render(<ProcessDetail index={indexSnapshot(snap)} process={p} />);
    expect(view.getByTestId('fd-ambiguous-3').textContent).toMatch(/name unknown/);
    expect(view.getByTestId('fd-unlisted-4').textContent).toMatch(/in no table procscope read/);
    expect(view.container.textContent).toContain('could not be read: mnt, net: Permission denied');
    expect(view.getByTestId('collector-badge').textContent).toBe('procscope');
  });

  it('marks a container whose id names two cgroups, its containerd namespace and its zombies', () => {
    const snap = fakeSnapshot([proc(1), proc(3, { containerId: 'c'.repeat(64), state: 'Z' })]);
    Object.assign(snap.containers[0]!, { conflict: true, namespace: 'k8s.io', pidMap: [{ hostPid: 3, containerPid: 1, zombie: true }], initPid: 3 });
    useStore.setState({ selectedContainer: 'c'.repeat(64) });
    const view = render(<ContainersView index={indexSnapshot(snap)} />);
    expect(view.getByTestId('container-conflict').textContent).toMatch(/also names another cgroup/);
    expect(view.getByTestId('container-namespace').textContent).toBe('k8s.io');
    expect(view.getByTestId('container-processes').textContent).toContain('zombie');
  });
});

describe('a partial view', () => {
  it('says what could not be read and how to see it all, in the tab header', () => {
    const snap = fakeSnapshot([proc(1)]);
    snap.node.partial = { namespacesUnreadable: 120, fdsUnreadable: 130, hint: 'connect with sudo (--sudo)' };
    const tab: Tab = { id: 't1', kind: 'import', label: 'snap.json', status: null, index: indexSnapshot(snap), error: null, loading: false, importedFrom: 'snap.json', live: false, intervalMs: 2000, staleSince: null, failures: 0, ticks: 0 };
    useStore.setState({ tabs: new Map([['t1', tab]]), tabOrder: ['t1'], activeTab: 't1' });
    const view = render(<Workspace />);
    const note = view.getByTestId('partial-view').textContent!;
    expect(note).toMatch(/namespaces of 120 and the open files of 130 processes could not be read/);
    expect(note).toMatch(/--sudo/);
    useStore.setState({ tabs: new Map(), tabOrder: [], activeTab: null });
  });
});
