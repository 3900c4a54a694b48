/**
 * A tab's past and its comparisons: step back through the moments a live tab remembers, compare what is shown with
 * an earlier moment or a snapshot file, and see what came, went and changed since.
 */
import { summaryLine } from '../../../shared/diff/format';
import { visibleText } from '../../../shared/visible';
import { momentLabel } from '../history';
import { useComparison, useStore, useTabField, useView } from '../store';

export function HistoryBar() {
  const id = useTabField('id');
  const history = useTabField('history') ?? [];
  const past = useTabField('past');
  const compare = useTabField('compare');
  const nowAt = useTabField('index')?.snapshot.node.collectedAt;
  const changesOnly = useView('changesOnly');
  const viewMoment = useStore((s) => s.viewMoment);
  const compareWith = useStore((s) => s.compareWith);
  const patchView = useStore((s) => s.patchView);
  const comparison = useComparison();
  if (!id || !nowAt) return null;
  // The last moment is now: the slider's right end follows the live data.
  const moments = history.length > 0 && history[history.length - 1]!.at === nowAt ? history.slice(0, -1) : history;
  const position = past ? moments.findIndex((m) => m.at === past.at) : moments.length;
  return (
    <div className="history-bar" data-testid="history-bar">
      {moments.length > 0 ? (
        <label className="history">
          History
          <input
            type="range"
            data-testid="history-slider"
            min={0}
            max={moments.length}
            value={position < 0 ? moments.length : position}
            aria-valuetext={past ? momentLabel(past.at, nowAt) : 'now'}
            onChange={(e) => {
              const i = Number(e.target.value);
              viewMoment(id, i >= moments.length ? null : moments[i]!.at);
            }}
          />
          <span data-testid="history-at" className={past ? 'past' : 'muted'}>
            {past ? `showing ${momentLabel(past.at, nowAt)}` : 'now'}
          </span>
          {past ? (
            <button type="button" data-testid="history-now" onClick={() => viewMoment(id, null)}>
              Back to now
            </button>
          ) : null}
        </label>
      ) : null}
      {moments.length > 0 || compare ? (
      <select
        data-testid="compare-select"
        aria-label="compare with"
        value=""
        onChange={(e) => {
          const v = e.target.value;
          void compareWith(id, v === 'none' ? null : { moment: v });
        }}
      >
        <option value="" disabled>
          {compare ? `Compared with ${visibleText(compare.label)}` : 'Compare with a moment…'}
        </option>
        {moments.map((m) => (
          <option key={m.at} value={m.at}>
            {momentLabel(m.at, nowAt)}
          </option>
        ))}
        {compare ? <option value="none">stop comparing</option> : null}
      </select>
      ) : null}
      <button type="button" data-testid="compare-file" title="compare with a snapshot file: an export, or one procscope record wrote (.json.gz)" onClick={() => void compareWith(id, 'file')}>
        Compare with a file…
      </button>
      {comparison && compare ? (
        <>
          <span className="compare-summary" data-testid="compare-summary" title={comparison.diff.matchingReason ? visibleText(`Matched by similarity: ${comparison.diff.matchingReason}`) : undefined}>
            Since {visibleText(compare.label)}: {summaryLine(comparison.diff)}
          </span>
          <label className="toggle">
            <input type="checkbox" data-testid="changes-only" checked={changesOnly} onChange={(e) => patchView({ changesOnly: e.target.checked })} /> Changes only
          </label>
        </>
      ) : null}
    </div>
  );
}
