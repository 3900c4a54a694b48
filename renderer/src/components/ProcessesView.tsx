/** The process table: sortable, filterable, flat or as a tree with branches that fold, virtualized for 10,000 rows. */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { MAX_ACTION_TARGETS } from '../../../shared/actions/actions';
import { canAct } from '../store/actions';
import { DEFAULT_PROCESS_COLUMNS, PROCESS_COLUMNS, PROCESS_COLUMN_DEFS, type ProcessColumnDef, columnDef } from '../../../shared/process-columns';
import type { SnapshotProcess } from '../../../shared/snapshot/types';
import { visibleText } from '../../../shared/visible';
import { type Mark, markClass } from '../compare';
import { type ProcessColumn, type SnapshotIndex, columnContext, commandLineOf, filterAndSort, filterWords, nextSort, processTree } from '../model';
import { useComparison, useStore, useTabField, useView } from '../store';
import { markColumn } from './common';
import { type Column, VirtualTable } from './VirtualTable';

/** A right click on a row: open its detail, or act on it, or on every process the filter shows. */
function RowMenu({ menu, shownPids, markedPids, onClose }: { menu: { pid: number; x: number; y: number }; shownPids: number[]; markedPids: number[]; onClose(): void }) {
  const selectProcess = useStore((s) => s.selectProcess);
  const requestAction = useStore((s) => s.requestAction);
  const actions = useStore(canAct);
  useEffect(() => {
    const close = () => onClose();
    window.addEventListener('click', close);
    window.addEventListener('keydown', close);
    return () => {
      window.removeEventListener('click', close);
      window.removeEventListener('keydown', close);
    };
  }, [onClose]);
  const item = (testId: string, label: string, run: () => void) => (
    <button type="button" role="menuitem" data-testid={testId} onClick={() => (run(), onClose())}>
      {label}
    </button>
  );
  return (
    <div className="popover menu" role="menu" data-testid="row-menu" style={{ position: 'fixed', left: menu.x, top: menu.y }}>
      {item('menu-open', `Open pid ${menu.pid}`, () => selectProcess(menu.pid, true))}
      {actions ? item('menu-act', `Signal / renice pid ${menu.pid}…`, () => requestAction([menu.pid])) : null}
      {actions && markedPids.length > 1 ? item('menu-act-selected', `Signal / renice the ${markedPids.length} selected…`, () => requestAction(markedPids)) : null}
      {actions && shownPids.length > 1 && shownPids.length <= MAX_ACTION_TARGETS ? item('menu-act-shown', `Signal / renice the ${shownPids.length} processes shown…`, () => requestAction(shownPids)) : null}
    </div>
  );
}

/** "Columns": which columns the table shows, remembered between runs. */
function ColumnChooser() {
  const chosen = useStore((s) => s.processColumns);
  const setColumns = useStore((s) => s.setProcessColumns);
  const [open, setOpen] = useState(false);
  const toggle = (key: ProcessColumn, on: boolean) => {
    const next = PROCESS_COLUMNS.filter((k) => (k === key ? on : chosen.includes(k)));
    if (next.length > 0) void setColumns(next);
  };
  return (
    <span className="column-chooser">
      <button type="button" data-testid="column-chooser" aria-expanded={open} onClick={() => setOpen(!open)}>
        Columns…
      </button>
      {open ? (
        <div className="popover" role="dialog" aria-label="columns" data-testid="column-list">
          {PROCESS_COLUMN_DEFS.map(({ id, label }) => (
            <label key={id} className="toggle">
              <input type="checkbox" data-testid={`column-${id}`} checked={chosen.includes(id)} onChange={(e) => toggle(id, e.target.checked)} /> {label}
            </label>
          ))}
          <button type="button" onClick={() => void setColumns([...DEFAULT_PROCESS_COLUMNS])}>
            Defaults
          </button>
          <button type="button" data-testid="column-list-close" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      ) : null}
    </span>
  );
}

interface Row {
  p: SnapshotProcess;
  prefix: string;
  hasChildren: boolean;
  collapsed: boolean;
  /** while comparing: came, changed, or gone (a process of the earlier state) */
  mark?: Mark | null;
  gone?: boolean;
}

const rowKey = (r: Row) => (r.gone ? `gone-${r.p.pid}-${r.p.startTicks ?? ''}` : r.p.pid);

function NameCell({ row, tree }: { row: Row; tree: boolean }) {
  const toggleCollapsed = useStore((s) => s.toggleCollapsed);
  return (
    <span>
      {tree ? <span className="branch">{row.prefix}</span> : null}
      {tree && row.hasChildren ? (
        <button
          type="button"
          className="fold"
          data-testid={`fold-${row.p.pid}`}
          aria-label={row.collapsed ? 'expand' : 'collapse'}
          aria-expanded={!row.collapsed}
          onClick={(e) => {
            e.stopPropagation();
            toggleCollapsed(row.p.pid);
          }}
        >
          {row.collapsed ? '▸' : '▾'}
        </button>
      ) : null}
      {visibleText(row.p.name)}
      {row.p.collector ? <span className="badge" title="procscope's own collector on the node"> procscope</span> : null}
    </span>
  );
}

/** The row of a process in the flat table, one per process object: a live tick keeps the objects that did not move. */
const plainRows = new WeakMap<SnapshotProcess, Row>();

function plainRow(p: SnapshotProcess): Row {
  let row = plainRows.get(p);
  if (!row) plainRows.set(p, (row = { p, prefix: '', hasChildren: false, collapsed: false }));
  return row;
}

/** A gone process is not in the index (and its pid may be another process's now): its own argv. */
function commandLineCell(index: SnapshotIndex, r: Row): string {
  return visibleText(r.gone ? commandLineOf(r.p) : (index.commandLine.get(r.p.pid) ?? ''));
}

/**
 * The table's columns, from the one column table (shared/process-columns.ts), in its order. With the detail pane
 * open, only those with a compact width stay, so both fit a laptop's screen.
 */
function columns(index: SnapshotIndex, tree: boolean, compact: boolean, compareLabel: string | null, chosen: readonly ProcessColumn[]): Column<Row>[] {
  const ctx = columnContext(index);
  const shown: Column<Row>[] = PROCESS_COLUMN_DEFS.filter((def) => chosen.includes(def.id) && (!compact || 'compactWidth' in def)).map((def: ProcessColumnDef) => {
    const text = (r: Row) => (def.id === 'cmdline' ? commandLineCell(index, r) : visibleText(String((def.cell ?? def.value)(ctx, r.p) ?? '')));
    const width = def.id === 'name' ? (compact ? (tree ? '180px' : def.compactWidth!) : tree ? '260px' : def.width) : compact ? def.compactWidth! : def.width;
    return {
      key: def.id,
      title: def.title,
      width,
      ...(def.align ? { align: def.align } : {}),
      render: def.id === 'name' ? (r: Row) => <NameCell row={r} tree={tree} /> : text,
      text: def.tooltip ? (r: Row) => visibleText(def.tooltip!(ctx, r.p)) : text,
    };
  });
  return [...(compareLabel !== null ? [markColumn<Row>((r) => r.mark ?? null, compareLabel)] : []), ...shown];
}

export function ProcessesView({ index }: { index: SnapshotIndex }) {
  const filter = useView('filter');
  const sort = useView('sort');
  const treeMode = useView('treeMode');
  const collapsed = useView('collapsed');
  const selectedPid = useView('selectedPid');
  const marked = useView('marked');
  const patchView = useStore((s) => s.patchView);
  const selectProcess = useStore((s) => s.selectProcess);
  const filterBox = useRef<HTMLInputElement>(null);

  const comparison = useComparison();
  const compareLabel = useTabField('compare')?.label ?? null;
  const changesOnly = useView('changesOnly');
  const rows: Row[] = useMemo(() => {
    const shown: Row[] = treeMode
      ? processTree(index, filter, collapsed).map((t) => ({ p: t.process, prefix: t.prefix, hasChildren: t.hasChildren, collapsed: t.collapsed }))
      : filterAndSort(index, filter, sort).map(plainRow);
    if (!comparison) return shown;
    const words = filterWords(filter);
    const marked = shown.map((r) => ({ ...r, mark: comparison.processes.markOf(r.p) }));
    const gone = comparison.processes.removed
      .filter((p) => words.every((w) => `${p.pid}\0${p.name}\0${p.user ?? p.uid}\0${p.cmdline.join(' ')}`.toLowerCase().includes(w)))
      .map((p): Row => ({ p, prefix: '', hasChildren: false, collapsed: false, mark: '-', gone: true }));
    const all = treeMode ? marked : [...marked, ...gone];
    return changesOnly ? all.filter((r) => r.mark) : all;
  }, [index, filter, sort, treeMode, collapsed, comparison, changesOnly]);
  const detailOpen = useView('detailOpen');
  const compact = detailOpen && selectedPid !== null && index.byPid.has(selectedPid);
  const chosen = useStore((s) => s.processColumns);
  const [menu, setMenu] = useState<{ pid: number; x: number; y: number } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);
  const cols = useMemo(() => columns(index, treeMode, compact, comparison ? compareLabel : null, chosen), [index, treeMode, compact, comparison, compareLabel, chosen]);

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
          onChange={(e) => patchView({ filter: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              patchView({ filter: '' });
              e.currentTarget.blur();
            } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              const first = rows[0];
              if (first) selectProcess(first.p.pid, e.key === 'Enter');
              (document.querySelector('[data-testid="process-table-body"]') as HTMLElement | null)?.focus();
            }
          }}
        />
        <ColumnChooser />
        <label className="toggle">
          <input type="checkbox" data-testid="tree-toggle" checked={treeMode} onChange={(e) => patchView({ treeMode: e.target.checked })} /> Tree
        </label>
        <span className="count" data-testid="process-count">
          {comparison ? `${rows.length} rows, ${index.snapshot.processes.length} processes` : `${rows.length} of ${index.snapshot.processes.length} processes`}
        </span>
      </div>
      <VirtualTable
        testId="process-table"
        rows={rows}
        columns={cols}
        rowKey={rowKey}
        selectedKey={selectedPid}
        onSelect={(r) => {
          if (r.gone) return;
          if (marked.size) patchView({ marked: new Set() });
          selectProcess(r.p.pid);
        }}
        onToggle={(r) => {
          if (r.gone) return;
          const next = new Set(marked.size === 0 && selectedPid !== null ? [selectedPid] : marked);
          if (!next.delete(r.p.pid)) next.add(r.p.pid);
          patchView({ marked: next });
        }}
        onOpen={(r) => (r.gone ? undefined : selectProcess(r.p.pid, true))}
        onMenu={(r, x, y) => {
          if (r.gone) return;
          // A right click inside a selection of several keeps it; elsewhere it picks that row alone.
          if (!marked.has(r.p.pid)) {
            if (marked.size) patchView({ marked: new Set() });
            selectProcess(r.p.pid);
          }
          setMenu({ pid: r.p.pid, x, y });
        }}
        rowClass={(r) => `${markClass(r.mark ?? null)}${marked.has(r.p.pid) && !r.gone ? ' marked' : ''}`}
        sortKey={treeMode ? undefined : sort.column}
        descending={sort.descending}
        onSort={treeMode ? undefined : (key) => patchView({ sort: nextSort(sort, key as ProcessColumn, columnDef(key as ProcessColumn).biggestFirst ?? false) })}
        emptyText={filter ? `No process matches "${filter}".` : 'No processes.'}
      />
      {menu ? <RowMenu menu={menu} shownPids={filter ? rows.filter((r) => !r.gone).map((r) => r.p.pid) : []} markedPids={[...marked].filter((pid) => index.byPid.has(pid))} onClose={closeMenu} /> : null}
    </div>
  );
}
