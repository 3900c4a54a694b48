/** The process table: sortable, filterable, flat or as a tree, virtualized for 10,000 rows. */
import { useEffect, useMemo, useRef } from 'react';
import type { SnapshotProcess } from '../../../shared/snapshot/types';
import { type ProcessColumn, type SnapshotIndex, containerCell, filterAndSort, formatKb, processTree } from '../model';
import { useStore } from '../store';
import { visibleText } from '../../../shared/visible';
import { type Column, VirtualTable } from './VirtualTable';

/** Columns whose first click sorts the biggest first, as top and htop do. */
const BIGGEST_FIRST = new Set(['cpu', 'rssKb', 'threads']);

interface Row {
  p: SnapshotProcess;
  depth: number;
}

function columns(index: SnapshotIndex, tree: boolean): Column<Row>[] {
  return [
    { key: 'pid', title: 'PID', width: '72px', align: 'right', render: (r) => r.p.pid },
    { key: 'ppid', title: 'PPID', width: '72px', align: 'right', render: (r) => r.p.ppid },
    { key: 'user', title: 'USER', width: '96px', render: (r) => r.p.user ?? r.p.uid },
    { key: 'state', title: 'S', width: '28px', render: (r) => r.p.state },
    { key: 'cpu', title: 'CPU%', width: '64px', align: 'right', render: (r) => (r.p.cpuPercent == null ? '' : r.p.cpuPercent.toFixed(1)) },
    { key: 'threads', title: 'THR', width: '52px', align: 'right', render: (r) => r.p.threads },
    { key: 'rssKb', title: 'RSS', width: '80px', align: 'right', render: (r) => formatKb(r.p.rssKb) },
    { key: 'container', title: 'CONTAINER', width: '150px', render: (r) => visibleText(containerCell(index, r.p)) },
    {
      key: 'name',
      title: 'NAME',
      width: '170px',
      render: (r) => (
        <span style={{ paddingLeft: tree ? r.depth * 12 : 0 }}>
          {visibleText(r.p.name)}
          {r.p.collector ? <span className="badge" title="procscope's own collector on the node"> procscope</span> : null}
        </span>
      ),
    },
    { key: 'cmdline', title: 'COMMAND LINE', width: 'minmax(200px, 1fr)', render: (r) => visibleText(index.commandLine.get(r.p.pid) ?? '') },
  ];
}

export function ProcessesView({ index }: { index: SnapshotIndex }) {
  const filter = useStore((s) => s.filter);
  const sort = useStore((s) => s.sort);
  const treeMode = useStore((s) => s.treeMode);
  const selectedPid = useStore((s) => s.selectedPid);
  const setFilter = useStore((s) => s.setFilter);
  const setSort = useStore((s) => s.setSort);
  const setTreeMode = useStore((s) => s.setTreeMode);
  const selectProcess = useStore((s) => s.selectProcess);
  const filterBox = useRef<HTMLInputElement>(null);

  const rows: Row[] = useMemo(
    () => (treeMode ? processTree(index, filter).map((t) => ({ p: t.process, depth: t.depth })) : filterAndSort(index, filter, sort).map((p) => ({ p, depth: 0 }))),
    [index, filter, sort, treeMode],
  );
  const cols = useMemo(() => columns(index, treeMode), [index, treeMode]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement;
      if (e.key === '/' && !typing) {
        e.preventDefault();
        filterBox.current?.focus();
        filterBox.current?.select();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="view processes-view">
      <div className="toolbar">
        <input
          ref={filterBox}
          className="filter"
          data-testid="process-filter"
          placeholder="Filter: pid, name, user, command line, container or pod  ( / )"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              setFilter('');
              e.currentTarget.blur();
            } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              const first = rows[0];
              if (first) selectProcess(first.p.pid, e.key === 'Enter');
              (document.querySelector('[data-testid="process-table-body"]') as HTMLElement | null)?.focus();
            }
          }}
        />
        <label className="toggle">
          <input type="checkbox" data-testid="tree-toggle" checked={treeMode} onChange={(e) => setTreeMode(e.target.checked)} /> Tree
        </label>
        <span className="count" data-testid="process-count">
          {rows.length} of {index.snapshot.processes.length} processes
        </span>
      </div>
      <VirtualTable
        testId="process-table"
        rows={rows}
        columns={cols}
        rowKey={(r) => r.p.pid}
        selectedKey={selectedPid}
        onSelect={(r) => selectProcess(r.p.pid)}
        onOpen={(r) => selectProcess(r.p.pid, true)}
        sortKey={treeMode ? undefined : sort.column}
        descending={sort.descending}
        onSort={treeMode ? undefined : (key) => setSort({ column: key as ProcessColumn, descending: sort.column === key ? !sort.descending : BIGGEST_FIRST.has(key) })}
        emptyText={filter ? `No process matches "${filter}".` : 'No processes.'}
      />
    </div>
  );
}
