/** Small pieces the views share: visible text, clickable pids and containers, errors. */
import type { ProcscopeError } from '../../../shared/errors';
import { type View, useStore } from '../store';
import { visibleParts } from '../../../shared/visible';

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
  const selectProcess = useStore((s) => s.selectProcess);
  const setView = useStore((s) => s.setView);
  return (
    <button
      type="button"
      className="link"
      data-testid={`pid-link-${pid}`}
      onClick={() => {
        setView('processes');
        selectProcess(pid, true);
      }}
    >
      {label ?? pid}
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
  const selectContainer = useStore((s) => s.selectContainer);
  return (
    <GoTo view="containers" onGo={() => selectContainer(id)} testId={`container-link-${id.slice(0, 12)}`}>
      {id.length === 64 ? id.slice(0, 12) : id}
    </GoTo>
  );
}

export function ErrorBox({ error, onRetry }: { error: ProcscopeError; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert" data-testid="error-box">
      <strong>{error.message}</strong>
      {error.hint ? <div className="hint">{error.hint}</div> : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

export function shortId(id: string): string {
  return id.length === 64 ? id.slice(0, 12) : id;
}
