/**
 * A table that renders only the rows in view, so 10,000 rows scroll and filter smoothly.
 * Keyboard: arrows and PageUp/PageDown move the selection, Home/End jump, Enter opens. The table scrolls only
 * when the user moves the selection: a refresh that reorders the rows leaves it where the user put it.
 */
import { type KeyboardEvent, type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';

export interface Column<T> {
  key: string;
  title: string;
  width: string;
  align?: 'right';
  render(row: T): ReactNode;
  /** the cell's full text, shown on hover when the cell is cut */
  text?(row: T): string;
}

interface Props<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey(row: T): string | number;
  selectedKey: string | number | null;
  onSelect(row: T): void;
  onOpen?(row: T): void;
  /** a right click on a row, at these page coordinates */
  onMenu?(row: T, x: number, y: number): void;
  /** a Ctrl- (or ⌘-) click: the row joins or leaves a selection of several */
  onToggle?(row: T): void;
  sortKey?: string;
  descending?: boolean;
  onSort?(key: string): void;
  testId: string;
  rowHeight?: number;
  emptyText?: string;
  /** a class for a row (a change mark while comparing) */
  rowClass?(row: T): string;
}

export function VirtualTable<T>({ rows, columns, rowKey, selectedKey, onSelect, onOpen, onMenu, onToggle, sortKey, descending, onSort, testId, rowHeight = 24, emptyText, rowClass }: Props<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    setHeight(el.clientHeight);
    return () => observer.disconnect();
  }, []);

  const selectedIndex = selectedKey === null ? -1 : rows.findIndex((r) => rowKey(r) === selectedKey);
  /** a row the keyboard moved to, to bring into view once drawn */
  const reveal = useRef<number | null>(null);

  useEffect(() => {
    const el = scroller.current;
    const at = reveal.current;
    reveal.current = null;
    if (!el || at === null) return;
    const top = at * rowHeight;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
  });

  const overscan = 10;
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const template = columns.map((c) => c.width).join(' ');

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0) return;
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      e.preventDefault();
      const next = Math.max(0, Math.min(rows.length - 1, (selectedIndex < 0 ? -1 : selectedIndex) + moves[e.key]!));
      reveal.current = next;
      onSelect(rows[next]!);
    } else if (e.key === 'Enter' && selectedIndex >= 0) {
      e.preventDefault();
      onOpen?.(rows[selectedIndex]!);
    }
  };

  return (
    <div className="vtable" data-testid={testId}>
      <div className="vtable-head" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <button type="button" key={c.key} className={`th ${c.align === 'right' ? 'right' : ''}`} onClick={() => onSort?.(c.key)} disabled={!onSort} aria-sort={sortKey === c.key ? (descending ? 'descending' : 'ascending') : undefined}>
            {c.title}
            {sortKey === c.key ? (descending ? ' ▼' : ' ▲') : ''}
          </button>
        ))}
      </div>
      <div
        className="vtable-body"
        ref={scroller}
        tabIndex={0}
        role="grid"
        aria-rowcount={rows.length}
        data-testid={`${testId}-body`}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: rows.length * rowHeight, position: 'relative' }}>
          {rows.slice(first, last).map((row, i) => {
            const key = rowKey(row);
            return (
              <div
                key={key}
                role="row"
                aria-rowindex={first + i + 1}
                data-key={key}
                className={`vrow ${key === selectedKey ? 'selected' : ''} ${rowClass?.(row) ?? ''}`}
                style={{ top: (first + i) * rowHeight, height: rowHeight, gridTemplateColumns: template }}
                onClick={(e) => (onToggle && (e.ctrlKey || e.metaKey) ? onToggle(row) : onSelect(row))}
                onDoubleClick={() => onOpen?.(row)}
                onContextMenu={
                  onMenu
                    ? (e) => {
                        e.preventDefault();
                        onMenu(row, e.clientX, e.clientY);
                      }
                    : undefined
                }
              >
                {columns.map((c) => (
                  <div key={c.key} className={`td ${c.align === 'right' ? 'right' : ''}`} title={c.text?.(row)}>
                    {c.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
        {rows.length === 0 ? <div className="empty">{emptyText ?? 'Nothing to show.'}</div> : null}
      </div>
    </div>
  );
}
