/** Small pieces the views share: visible text, clickable pids and containers, errors. */
import { useEffect, useState } from 'react';
import type { ProcscopeError } from '../../../shared/errors';
import { type Mark, markClass, markTitle } from '../compare';
import type { Column } from './VirtualTable';
import { type View, useStore } from '../store';
import { visibleParts, visibleText } from '../../../shared/visible';
import { shortId } from '../../../shared/containers/summary';
import type { PendingPart, Snapshot } from '../../../shared/snapshot/types';

/** Text from the node, exactly, with control characters and non-UTF-8 bytes shown as escapes. */
export function Shown({ text, className }: { text: string; className?: string }) {
  return (
    <span className={className}>
      {visibleParts(text).map((p, i) =>
        p.escaped ? (
          <span key={i} className="escape" title="a character shown as an escape">
            {p.text}
          </span>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </span>
  );
}

export function PidLink({ pid, label }: { pid: number; label?: string }) {
  const patchView = useStore((s) => s.patchView);
  return (
    <button type="button" className="link" data-testid={`pid-link-${pid}`} onClick={() => patchView({ view: 'processes', selectedPid: pid, detailOpen: true })}>
      {label === undefined ? pid : visibleText(label)}
    </button>
  );
}

export function GoTo({ view, onGo, children, testId }: { view: View; onGo: () => void; children: React.ReactNode; testId?: string }) {
  const setView = useStore((s) => s.setView);
  return (
    <button
      type="button"
      className="link"
      data-testid={testId}
      onClick={() => {
        onGo();
        setView(view);
      }}
    >
      {children}
    </button>
  );
}

export function ContainerLink({ id }: { id: string }) {
  const patchView = useStore((s) => s.patchView);
  return (
    <GoTo view="containers" onGo={() => patchView({ selectedContainer: id })} testId={`container-link-${id.slice(0, 12)}`}>
      {visibleText(shortId(id))}
    </GoTo>
  );
}

/** Whether a part of the node is still being read: a first read is on screen and the rest of the full read is coming. */
export const isPending = (snapshot: Snapshot, part: PendingPart) => snapshot.node.pending?.includes(part) ?? false;

/** Says that a part is still being read, instead of an empty table that looks whole. */
export function Pending({ snapshot, part, children }: { snapshot: Snapshot; part: PendingPart; children: React.ReactNode }) {
  if (!isPending(snapshot, part)) return null;
  return (
    <div className="pending" role="status" data-testid={`pending-${part}`}>
      {children}: reading…
    </div>
  );
}

export function ErrorBox({ error, onRetry }: { error: ProcscopeError; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert" data-testid="error-box">
      <strong>{visibleText(error.message)}</strong>
      {error.hint ? <div className="hint">{visibleText(error.hint)}</div> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export { shortId };

/** A table's toolbar: its filter box, "N of M things", and any other controls. */
export function FilterBar(props: { name: string; placeholder: string; text: string; onText(text: string): void; shown: number; total: number; noun: string; suffix?: string; children?: React.ReactNode }) {
  return (
    <div className="toolbar">
      <input className="filter" data-testid={`${props.name}-filter`} placeholder={props.placeholder} value={props.text} onChange={(e) => props.onText(e.target.value)} />
      {props.children}
      <span className="count" data-testid={`${props.name}-count`}>
        {props.shown} of {props.total}
        {props.noun ? ` ${props.noun}` : ''}
        {props.suffix ?? ''}
      </span>
    </div>
  );
}

/** The first column while a tab is compared: + came, - went, ~ changed. */
export function markColumn<T>(markOf: (row: T) => Mark | null, label: string): Column<T> {
  return {
    key: 'change',
    title: 'Δ',
    width: '28px',
    render: (row) => {
      const mark = markOf(row);
      return mark ? (
        <span className={`mark ${markClass(mark)}`} title={markTitle(mark, label)} data-mark={mark}>
          {mark === '-' ? '−' : mark}
        </span>
      ) : (
        ''
      );
    },
  };
}

/** This machine's clock, ticking every `everyMs`, for ages and staleness. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
