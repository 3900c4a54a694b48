/** What could not be read, by process and kind: a vanished pid, a denied fd table, a table of the node. */
import { useMemo, useState } from 'react';
import type { SnapshotError } from '../../../shared/snapshot/types';
import { visibleText } from '../../../shared/visible';
import { type SnapshotIndex, filterByText } from '../model';
import { FilterBar, PidLink } from './common';
import { type Column, VirtualTable } from './VirtualTable';

interface ErrorRow {
  key: number;
  pid: number | null;
  what: string;
  message: string;
}

/** An error of a process shows its pid and the part ("fd", or "process" for the whole); others ("net/tcp6", "import") their scope. */
export function errorRows(errors: SnapshotError[]): ErrorRow[] {
  return errors.map((e, key) => (e.pid !== undefined ? { key, pid: e.pid, what: e.part ?? 'process', message: e.message } : { key, pid: null, what: e.scope, message: e.message }));
}

/** How many errors of each kind: "fd 12, exe 3". */
export function errorKinds(rows: ErrorRow[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${visibleText(k)} ${n}`).join(', ');
}

export function ErrorsView({ index }: { index: SnapshotIndex }) {
  const [text, setText] = useState('');
  const all = useMemo(() => errorRows(index.snapshot.errors), [index]);
  const rows = useMemo(() => filterByText(all, text, (r) => `${r.pid ?? ''}\u0000${index.byPid.get(r.pid ?? -1)?.name ?? ''}\u0000${r.what}\u0000${r.message}`), [all, text, index]);
  const columns: Column<ErrorRow>[] = [
    { key: 'pid', title: 'PID', width: '90px', align: 'right', render: (r) => (r.pid === null ? '' : index.byPid.has(r.pid) ? <PidLink pid={r.pid} /> : r.pid) },
    { key: 'name', title: 'PROCESS', width: '160px', render: (r) => visibleText(r.pid === null ? '' : (index.byPid.get(r.pid)?.name ?? '(gone)')) },
    { key: 'what', title: 'WHAT', width: '140px', render: (r) => visibleText(r.what) },
    { key: 'message', title: 'WHY', width: 'minmax(240px, 1fr)', render: (r) => visibleText(r.message), text: (r) => visibleText(r.message) },
  ];
  return (
    <div className="view" data-testid="errors-view">
      <FilterBar name="errors" placeholder="Filter: pid, process, what or why" text={text} onText={setText} shown={rows.length} total={all.length} noun="" suffix={`: ${errorKinds(all) || 'nothing'}`} />
      <VirtualTable testId="errors-table" rows={rows} columns={columns} rowKey={(r) => r.key} selectedKey={null} onSelect={() => {}} emptyText="Everything could be read." />
    </div>
  );
}
