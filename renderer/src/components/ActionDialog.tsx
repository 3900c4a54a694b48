/** The confirmation before a signal or renice: the processes (pid, name, user, container), the action and what it means; then the node's answer per process. */
import { useState } from 'react';
import { type ProcessAction, SIGNALS, SIGNAL_MEANING, type SignalName } from '../../../shared/actions/actions';
import { visibleText } from '../../../shared/visible';
import type { ActionRequest } from '../store/actions';
import { useStore } from '../store';
import { Modal } from './Modal';

export function ActionDialog({ request }: { request: ActionRequest }) {
  const runAction = useStore((s) => s.runAction);
  const closeAction = useStore((s) => s.closeAction);
  const [kind, setKind] = useState<'signal' | 'renice'>('signal');
  const [signal, setSignal] = useState<SignalName>('TERM');
  const [nice, setNice] = useState('10');
  const niceValue = /^[+-]?\d+$/.test(nice.trim()) ? Number(nice) : NaN;
  const valid = kind === 'signal' || (niceValue >= -20 && niceValue <= 19);
  const action: ProcessAction = kind === 'signal' ? { kind, signal } : { kind, nice: niceValue };
  const { subjects, results } = request;
  const done = results !== null;
  return (
    <Modal label="Act on processes" testId="action-dialog" onCancel={closeAction} onSubmit={() => (done ? closeAction() : valid && void runAction(action))}>
      <h2>
        {done ? 'Done' : kind === 'signal' ? `Send SIG${signal}` : `Renice to ${nice}`} on {visibleText(request.node)}
      </h2>
      <table className="grid" data-testid="action-processes">
        <thead>
          <tr>
            <th>PID</th>
            <th>NAME</th>
            <th>USER</th>
            <th>CONTAINER</th>
            {done ? <th>RESULT</th> : null}
          </tr>
        </thead>
        <tbody>
          {subjects.map((p) => {
            const r = results?.find((x) => x.pid === p.pid);
            return (
              <tr key={p.pid}>
                <td>{p.pid}</td>
                <td>{visibleText(p.name)}</td>
                <td>{visibleText(p.user)}</td>
                <td>{visibleText(p.container ?? '–')}</td>
                {done ? (
                  <td className={r?.outcome === 'done' ? 'ok' : 'unreadable'} data-testid={`action-result-${p.pid}`}>
                    {visibleText(r?.message ?? '')}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      {request.leftOut.length ? <p className="muted">Left out: {visibleText(request.leftOut.join(', '))}.</p> : null}
      {!done ? (
        <>
          <label>
            Action
            <select data-testid="action-kind" value={kind === 'renice' ? 'renice' : signal} onChange={(e) => (e.target.value === 'renice' ? setKind('renice') : (setKind('signal'), setSignal(e.target.value as SignalName)))}>
              {SIGNALS.map((s) => (
                <option key={s} value={s}>
                  SIG{s}
                </option>
              ))}
              <option value="renice">renice…</option>
            </select>
          </label>
          {kind === 'renice' ? (
            <label>
              Nice value (-20 to 19; lowering it needs root) <input data-testid="action-nice" inputMode="numeric" value={nice} onChange={(e) => setNice(e.target.value)} />
            </label>
          ) : (
            <p className="muted" data-testid="action-meaning">
              SIG{signal}: {SIGNAL_MEANING[signal]}.
            </p>
          )}
          <p className="muted">Each process gets it only if its pid is still the process shown here (same start time); a pid that has become another process gets nothing. A signal goes through a pidfd where the node has one (python3, Linux 5.3+), so the process checked is the one signalled; elsewhere, and for renice, the start time is checked just before sending.</p>
        </>
      ) : null}
      {request.error ? (
        <p className="route error" role="alert" data-testid="action-error">
          {visibleText(request.error.message)} {request.error.hint ? visibleText(request.error.hint) : ''}
        </p>
      ) : null}
      <div className="buttons">
        <button type="button" data-testid="action-close" onClick={closeAction}>
          {done ? 'Close' : 'Cancel'}
        </button>
        {!done ? (
          <button type="submit" className="primary danger" data-testid="action-confirm" disabled={!valid || request.running || subjects.length === 0}>
            {request.running ? 'Sending…' : kind === 'signal' ? `Send SIG${signal} to ${subjects.length}` : `Renice ${subjects.length}`}
          </button>
        ) : null}
      </div>
    </Modal>
  );
}
