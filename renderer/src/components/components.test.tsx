// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SnapshotProcess } from '../../../shared/snapshot/types';
import { fakeSnapshot } from '../model.test';
import { indexSnapshot } from '../model';
import { useStore } from '../store';
import { ProcessDetail } from './ProcessDetail';
import { ProcessesView } from './ProcessesView';

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
