// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render as renderDom } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SnapshotProcess } from '../../../shared/snapshot/types';
import { fakeSnapshot } from '../../test/fake-snapshot';
import { inProcessApi } from '../../test/in-process-api';
import { indexSnapshot } from '../model';
import { type AppStore, StoreContext, createAppStore } from '../store';
import { ContainersView } from './ContainersView';
import { Dialogs } from './Dialogs';
import { ProcessDetail } from './ProcessDetail';
import { ProcessesView } from './ProcessesView';
import { NamespacesView } from './NamespacesView';
import { SocketsView } from './SocketsView';
import { StatusBar, Workspace } from './Workspace';

function proc(pid: number, extra: Partial<SnapshotProcess> = {}): SnapshotProcess {
  return { pid, ppid: 1, name: `worker-${pid}`, state: 'S', uid: 0, gid: 0, user: 'root', threads: 1, cmdline: ['/bin/worker', String(pid)], exe: '/bin/worker', nspid: [pid], namespaces: { net: 1 }, cgroups: [], fds: [], containerId: null, ...extra };
}

let store: AppStore;
beforeEach(() => {
  store = createAppStore(inProcessApi());
});
afterEach(() => cleanup());

const render = (ui: ReactNode) => renderDom(<StoreContext.Provider value={store}>{ui}</StoreContext.Provider>);
const tabView = () => store.getState().views.get(store.getState().activeTab!)!;

/** An imported tab holding `snap`, made active. */
function openTab(snap: ReturnType<typeof fakeSnapshot>): void {
  act(() => store.getState().openSnapshot(snap, 'snap.json'));
}

describe('ProcessesView', () => {
  const index = indexSnapshot(fakeSnapshot(Array.from({ length: 10_000 }, (_, i) => proc(i + 1))));

  beforeEach(() => openTab(index.snapshot));

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
    expect(tabView().selectedPid).toBe(2);
    act(() => {
      fireEvent.keyDown(body, { key: 'Enter' });
    });
    expect(tabView().detailOpen).toBe(true);
  });

  it('does not scroll when the selected row moves on a refresh', () => {
    const dom = render(<ProcessesView index={index} />);
    const body = dom.getByTestId('process-table-body');
    act(() => store.getState().selectProcess(9000));
    body.scrollTop = 0;
    fireEvent.scroll(body);
    const moved = indexSnapshot({ ...index.snapshot, processes: [...index.snapshot.processes].reverse() });
    dom.rerender(<StoreContext.Provider value={store}><ProcessesView index={moved} /></StoreContext.Provider>);
    expect(body.scrollTop).toBe(0);
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
    openTab(index.snapshot);
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
    openTab(snap);
    const view = render(<ProcessDetail index={indexSnapshot(snap)} process={p} />);
    expect(view.getByTestId('fd-ambiguous-3').textContent).toMatch(/name unknown/);
    expect(view.getByTestId('fd-unlisted-4').textContent).toMatch(/in no table procscope read/);
    expect(view.container.textContent).toContain('could not be read: mnt, net: Permission denied');
    expect(view.getByTestId('collector-badge').textContent).toBe('procscope');
  });

  it('marks a container whose id names two cgroups, its containerd namespace and its zombies', () => {
    const snap = fakeSnapshot([proc(1), proc(3, { containerId: 'c'.repeat(64), state: 'Z' })]);
    Object.assign(snap.containers[0]!, { conflict: true, namespace: 'k8s.io', pidMap: [{ hostPid: 3, containerPid: 1, zombie: true }], initPid: 3 });
    openTab(snap);
    act(() => store.getState().patchView({ selectedContainer: 'c'.repeat(64) }));
    const view = render(<ContainersView index={indexSnapshot(snap)} />);
    expect(view.getByTestId('container-conflict').textContent).toMatch(/also names another cgroup/);
    expect(view.getByTestId('container-namespace').textContent).toBe('k8s.io');
    expect(view.getByTestId('container-processes').textContent).toContain('zombie');
  });
});

describe('a container sharing the host pid namespace', () => {
  it('gives its members their host pids inside and calls none of them init', () => {
    const snap = fakeSnapshot([proc(1), proc(300, { ppid: 1 }), proc(301, { ppid: 300 })]);
    Object.assign(snap.containers[0]!, { pids: [300, 301], initPid: 300, sharesHost: ['pid'], pidMap: [{ hostPid: 300, containerPid: null }, { hostPid: 301, containerPid: null }] });
    openTab(snap);
    act(() => store.getState().patchView({ selectedContainer: 'c'.repeat(64) }));
    const view = render(<ContainersView index={indexSnapshot(snap)} />);
    const text = view.getByTestId('container-processes').textContent!;
    expect(text).not.toContain('(init)');
    expect(text).toContain("300, the host's pid namespace (topmost)");
    expect(text).toContain("301, the host's pid namespace");
  });

  it('says why a ctr container shows no image', () => {
    const snap = fakeSnapshot([proc(3)]);
    Object.assign(snap.containers[0]!, { podUid: null, podName: null, image: undefined });
    openTab(snap);
    act(() => store.getState().patchView({ selectedContainer: 'c'.repeat(64) }));
    const view = render(<ContainersView index={indexSnapshot(snap)} />);
    expect(view.getByTestId('container-image').textContent).toMatch(/^not read: containerd keeps it in its metadata database \(ctr c ls shows it\)/);
  });
});

describe('a partial view', () => {
  it('says in one line how many processes were not read in full, links to the list, and advises only where it helps', () => {
    const snap = fakeSnapshot([proc(1), proc(2)]);
    snap.node.partial = { processes: 1, namespacesUnreadable: 1, fdsUnreadable: 1, hint: 'Connect as root, or with sudo (--sudo), to read every process.' };
    openTab(snap);
    const view = render(<Workspace />);
    const note = view.getByTestId('partial-view').textContent!;
    expect(note).toBe('Partial view: 1 of 2 processes not read in full. Could not read Connect as root, or with sudo (--sudo), to read every process.');
    fireEvent.click(view.getByTestId('partial-view-errors'));
    expect(tabView().view).toBe('errors');
  });
});

describe('the process tree', () => {
  it('draws branches and folds a subtree', () => {
    const snap = fakeSnapshot([proc(1, { ppid: 0 }), proc(2), proc(3, { ppid: 2 }), proc(4)]);
    openTab(snap);
    act(() => store.getState().patchView({ treeMode: true }));
    const dom = render(<ProcessesView index={indexSnapshot(snap)} />);
    const rows = () => [...dom.container.querySelectorAll('[role="row"]')].map((r) => r.getAttribute('data-key'));
    expect(rows()).toEqual(['1', '2', '3', '4']);
    expect(dom.container.querySelector('[data-key="3"] .branch')!.textContent).toBe('│  └─ ');
    fireEvent.click(dom.getByTestId('fold-2'));
    expect(rows()).toEqual(['1', '2', '4']);
    expect(dom.getByTestId('fold-2').getAttribute('aria-expanded')).toBe('false');
  });
});

describe('what could not be read', () => {
  it('is listed by process and kind from the status bar', () => {
    const snap = fakeSnapshot([proc(1), proc(7)]);
    snap.errors = [
      { scope: 'pid 7 fd', message: 'Permission denied', pid: 7, part: 'fd' },
      { scope: 'pid 7 exe', message: 'Permission denied', pid: 7, part: 'exe' },
      { scope: 'pid 99', message: 'exited while read', pid: 99 },
      { scope: 'net/tcp6', message: 'No such file' },
    ];
    openTab(snap);
    const dom = render(
      <>
        <Workspace />
        <StatusBar />
      </>,
    );
    fireEvent.click(dom.getByTestId('errors-link'));
    expect(dom.getByTestId('errors-count').textContent).toBe('4 of 4: fd 1, exe 1, process 1, net/tcp6 1');
    fireEvent.change(dom.getByTestId('errors-filter'), { target: { value: 'worker-7' } });
    expect(dom.getByTestId('errors-count').textContent).toMatch(/^2 of 4/);
  });
});

describe('an imported snapshot with values of the wrong type', () => {
  it('shows what went wrong in that view, and the rest of the page stays', () => {
    const snap = fakeSnapshot([proc(1, { cpuPercent: 'boom' as unknown as number })]);
    openTab(snap);
    const dom = render(
      <>
        <Workspace />
        <StatusBar />
      </>,
    );
    expect(dom.getByTestId('view-crashed').textContent).toMatch(/processes view could not be shown: .*toFixed/);
    expect(dom.getByTestId('status-bar').textContent).toContain('read-only');
    fireEvent.click(dom.getByTestId('view-sockets'));
    expect(dom.getByTestId('socket-count').textContent).toBe('3 of 3 sockets');
  });
});

describe('the sockets table', () => {
  it('sorts by any column and shows the user, queues and the other end', () => {
    const snap = fakeSnapshot([proc(1), proc(2, { name: 'client' })]);
    snap.sockets = [
      { proto: 'tcp', inode: 10, local: '127.0.0.1:22', remote: '127.0.0.1:5000', state: 'ESTAB', uid: 0, netns: 1, pids: [1], peerInode: 11, rxQueue: 5, txQueue: 0 },
      { proto: 'tcp', inode: 11, local: '127.0.0.1:5000', remote: '127.0.0.1:22', state: 'ESTAB', uid: 0, netns: 1, pids: [2], peerInode: 10, rxQueue: 900, txQueue: 7 },
    ];
    openTab(snap);
    const dom = render(<SocketsView index={indexSnapshot(snap)} />);
    const keys = () => [...dom.container.querySelectorAll('[role="row"]')].map((r) => r.getAttribute('data-key'));
    fireEvent.click(dom.getByRole('button', { name: 'RECV-Q' }));
    expect(keys()).toEqual(['1:tcp:11', '1:tcp:10']);
    const first = dom.container.querySelector('[data-key="1:tcp:11"]')!.textContent!;
    expect(first).toContain('client(2)');
    expect(first).toContain('worker-1(1)');
    expect(first).toContain('root');
  });

  it('keeps exactly the filtered rows, also among many TIME-WAIT sockets of inode 0', () => {
    const snap = fakeSnapshot([proc(1)]);
    snap.sockets = [
      { proto: 'tcp', inode: 7, local: '0.0.0.0:22', remote: '0.0.0.0:*', state: 'LISTEN', netns: 1, pids: [1] },
      ...Array.from({ length: 5 }, (_, i) => ({ proto: 'tcp' as const, inode: 0, local: `127.0.0.1:${40000 + i}`, remote: '127.0.0.1:22', state: 'TIME-WAIT', netns: 1, pids: [] })),
    ];
    openTab(snap);
    const dom = render(<SocketsView index={indexSnapshot(snap)} />);
    expect(dom.container.querySelectorAll('[role="row"]')).toHaveLength(6);
    fireEvent.change(dom.getByTestId('socket-filter'), { target: { value: ':40003' } });
    expect([...dom.container.querySelectorAll('[role="row"]')].map((r) => r.textContent)).toEqual([expect.stringContaining('127.0.0.1:40003')]);
  });
});

describe('named network namespaces', () => {
  it('shows the name ip netns add gave, in the namespaces and the sockets, and filters by it', () => {
    const snap = fakeSnapshot([proc(1, { namespaces: { net: 7 } }), proc(2, { namespaces: { net: 4026532291 } })]);
    snap.node.hostNamespaces = { net: 7 };
    snap.namespaces = [
      { type: 'net', inode: 7, pids: [1], host: true },
      { type: 'net', inode: 4026532291, pids: [2], paths: ['/run/netns/blue'] },
    ];
    snap.sockets = [{ proto: 'tcp', inode: 10, local: '0.0.0.0:80', remote: '0.0.0.0:*', state: 'LISTEN', netns: 4026532291, pids: [2] }];
    openTab(snap);
    const index = indexSnapshot(snap);
    const ns = render(<NamespacesView index={index} />);
    expect(ns.container.querySelector('[data-key="net:4026532291"]')!.textContent).toContain('4026532291 (blue)');
    fireEvent.change(ns.getByTestId('namespace-filter'), { target: { value: 'blue' } });
    expect([...ns.container.querySelectorAll('[role="row"]')].map((r) => r.getAttribute('data-key'))).toEqual(['net:4026532291']);
    cleanup();
    const sockets = render(<SocketsView index={index} />);
    expect(sockets.container.querySelector('[role="row"]')!.textContent).toContain('4026532291 (blue)');
  });
});

describe('dialogs', () => {
  it('take focus, and Esc cancels', () => {
    act(() => store.getState().setNodeDialog({ mode: 'add' }));
    const dom = render(<Dialogs />);
    expect(document.activeElement).toBe(dom.getByTestId('node-name'));
    fireEvent.keyDown(dom.getByTestId('node-name'), { key: 'Escape' });
    expect(store.getState().nodeDialog).toBeNull();
    expect(dom.queryByTestId('add-node-dialog')).toBeNull();
  });

  it('edit a saved node in place', async () => {
    await store.getState().saveNode({ id: 'n1', name: 'web', host: '10.0.0.5', auth: 'agent' });
    act(() => store.getState().setNodeDialog({ mode: 'edit', node: store.getState().nodes[0]! }));
    const dom = render(<Dialogs />);
    expect((dom.getByTestId('node-host') as HTMLInputElement).value).toBe('10.0.0.5');
    fireEvent.change(dom.getByTestId('node-host'), { target: { value: '10.0.0.9' } });
    await act(async () => {
      fireEvent.click(dom.getByTestId('save-node'));
    });
    await expect.poll(() => store.getState().nodes.map((n) => [n.id, n.host])).toEqual([['n1', '10.0.0.9']]);
  });
});
