/** Everything about one process: overview, argv exactly, namespaces, fds with their sockets resolved, threads, children, cgroups. */
import { useMemo } from 'react';
import { containerLabel } from '../../../shared/containers/summary';
import { parseFdTarget } from '../../../shared/proc/links';
import type { SnapshotFd, SnapshotProcess } from '../../../shared/snapshot/types';
import { type SnapshotIndex, formatKb, nsKey } from '../model';
import { canAct } from '../store/actions';
import { processSeries } from '../overview';
import { Sparkline } from './NodeOverview';
import { useStore, useTabField } from '../store';
import { ContainerLink, GoTo, Pending, PidLink, Shown, isPending } from './common';
import { netnsLabel } from '../../../shared/snapshot/netns-name';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <tr>
      <th>{label}</th>
      <td>{children}</td>
    </tr>
  );
}

function Unreadable({ why }: { why: string }) {
  return (
    <span className="unreadable">
      could not be read: <Shown text={why} />
    </span>
  );
}

function FdRow({ fd, index, pid }: { fd: SnapshotFd; index: SnapshotIndex; pid: number }) {
  const target = parseFdTarget(fd.target);
  const socket = fd.socketInode !== undefined ? index.socketByInode.get(fd.socketInode) : undefined;
  const others = socket ? socket.pids.filter((p) => p !== pid) : [];
  const peer = socket?.peerInode !== undefined ? index.socketByInode.get(socket.peerInode) : undefined;
  return (
    <tr data-testid={`fd-${fd.fd}`}>
      <td className="right">{fd.fd}</td>
      <td>{target.kind === 'anon_inode' ? 'anon' : target.kind}</td>
      <td>
        {socket ? (
          <span data-testid={`fd-socket-${fd.fd}`}>
            {socket.proto} {socket.ambiguous ? '' : <Shown text={socket.local || '(unnamed)'} />}
            {socket.remote && socket.remote !== '0.0.0.0:*' && socket.remote !== '[::]:*' ? <> → <Shown text={socket.remote} /></> : ''} <span className="badge"><Shown text={socket.state} /></span>
            {socket.ambiguous ? (
              <span className="badge warn" data-testid={`fd-ambiguous-${fd.fd}`} title="two rows of /proc/net/unix claim this inode: one was forged by a socket name with a newline">
                name unknown: rows disagree
              </span>
            ) : null}
            {peer ? (
              <>
                {' '}
                other end: {peer.pids.map((p) => <PidLink key={p} pid={p} label={`${index.byPid.get(p)?.name ?? ''}(${p})`} />)}
              </>
            ) : null}
            {others.length > 0 ? <> also held by {others.map((p) => <PidLink key={p} pid={p} />)}</> : null}
          </span>
        ) : fd.socketUnlisted ? (
          <span data-testid={`fd-unlisted-${fd.fd}`}>
            <Shown text={fd.target} /> <span className="muted">in no table procscope read (netlink, packet, or a namespace it could not enter)</span>
          </span>
        ) : (
          <Shown text={fd.target} />
        )}
      </td>
    </tr>
  );
}

export function ProcessDetail({ index, process: p }: { index: SnapshotIndex; process: SnapshotProcess }) {
  const closeDetail = useStore((s) => s.closeDetail);
  const patchView = useStore((s) => s.patchView);
  const actions = useStore((s) => canAct(s) && !p.collector);
  const requestAction = useStore((s) => s.requestAction);
  const history = useTabField('history');
  const series = useMemo(() => (history ? processSeries(history, index.snapshot, p.pid, p.startTicks) : []), [history, index.snapshot, p.pid, p.startTicks]);
  const host = index.snapshot.node.hostNamespaces ?? {};
  const container = p.containerId ? index.containerById.get(p.containerId) : undefined;
  const containerPid = container?.pidMap.find((m) => m.hostPid === p.pid)?.containerPid;
  const errors = index.errorsByPid.get(p.pid) ?? [];
  const exeError = errors.find((e) => e.part === 'exe')?.message;
  const cwdError = errors.find((e) => e.part === 'cwd')?.message;

  return (
    <aside className="detail" data-testid="process-detail" aria-label={`process ${p.pid}`}>
      <header>
        <h2>
          <Shown text={p.name} /> <span className="muted">pid {p.pid}</span>
          {p.collector ? (
            <span className="badge" data-testid="collector-badge" title="procscope's own collector on the node">
              procscope
            </span>
          ) : null}
        </h2>
        {actions ? (
          <button type="button" data-testid="detail-act" title="send a signal or renice: only to the process you see here, not to a process that reused its pid" onClick={() => requestAction([p.pid])}>
            Signal / renice…
          </button>
        ) : null}
        <button type="button" onClick={closeDetail} aria-label="close" data-testid="close-detail">
          ✕
        </button>
      </header>
      <section>
        <table className="kv">
          <tbody>
            <Row label="State"><Shown text={p.state} /></Row>
            <Row label="User">
              <Shown text={p.user ?? '?'} /> (uid {p.uid}
              {p.euid !== undefined && p.euid !== p.uid ? `, euid ${p.euid}` : ''}, gid {p.gid})
            </Row>
            <Row label="Parent">{index.byPid.has(p.ppid) ? <PidLink pid={p.ppid} label={`${index.byPid.get(p.ppid)!.name} (${p.ppid})`} /> : p.ppid}</Row>
            <Row label="Threads">{p.threads}</Row>
            <Row label="RSS">{formatKb(p.rssKb) || '–'}</Row>
            {series.length > 1 ? (
              <Row label="Last minutes">
                <Sparkline values={series.map((x) => x.cpu)} max={100} testId="process-cpu-graph" title={`CPU% of pid ${p.pid}, over the tab's history`} />{' '}
                <Sparkline values={series.map((x) => x.rssKb)} testId="process-rss-graph" title={`RSS of pid ${p.pid}, over the tab's history`} />
              </Row>
            ) : null}
            <Row label="Executable">{p.exe !== null ? <Shown text={p.exe} /> : exeError ? <Unreadable why={exeError} /> : <span className="muted">none (kernel thread or zombie)</span>}</Row>
            <Row label="Working dir">{p.cwd ? <Shown text={p.cwd} /> : cwdError ? <Unreadable why={cwdError} /> : <span className="muted">–</span>}</Row>
            <Row label="PIDs">
              <span data-testid="nspid">{p.nspid.length > 1 ? p.nspid.map((n, i) => (i === 0 ? `${n} on the host` : `${n} in pid namespace ${i}`)).join(', ') : `${p.pid} (host pid namespace)`}</span>
            </Row>
            <Row label="Container">
              {container ? (
                <>
                  <ContainerLink id={container.id} /> {container.runtime} {containerLabel(container)}
                  {containerPid != null ? `, pid ${containerPid} inside` : ''}
                </>
              ) : (
                <span className="muted">none (host process)</span>
              )}
            </Row>
          </tbody>
        </table>
      </section>
      <section>
        <h3>Command line ({p.cmdline.length} arguments)</h3>
        {isPending(index.snapshot, 'cmdline') ? (
          <Pending snapshot={index.snapshot} part="cmdline">
            Command line
          </Pending>
        ) : p.cmdline.length === 0 ? (
          <p className="muted">empty (a kernel thread or a zombie)</p>
        ) : (
          <ol className="argv" start={0} data-testid="argv">
            {p.cmdline.map((arg, i) => (
              <li key={i}>{arg === '' ? <span className="muted">(empty)</span> : <Shown text={arg} />}</li>
            ))}
          </ol>
        )}
      </section>
      <section>
        <h3>Namespaces</h3>
        <Pending snapshot={index.snapshot} part="namespaces">
          Namespaces
        </Pending>
        <table className="grid ns-of-process" data-testid="namespaces-of-process">
          <tbody>
            {Object.entries(p.namespaces)
              .filter(([t]) => !t.endsWith('_for_children'))
              .map(([type, inode]) => {
                const ns = index.namespaceByKey.get(nsKey(type, inode));
                return (
                  <tr key={type} data-testid={`ns-${type}`}>
                    <td>{type}</td>
                    <td>
                      <GoTo view="namespaces" onGo={() => patchView({ selectedNamespace: nsKey(type, inode) })}>
                        <Shown text={netnsLabel(inode, ns?.paths)} />
                      </GoTo>
                    </td>
                    <td>{host[type] === inode ? <span className="badge host">shared with the host</span> : <span className="badge own">own</span>}</td>
                    <td className="muted">{ns ? `${ns.pids.length} processes` : ''}</td>
                  </tr>
                );
              })}
          </tbody>
        </table>
        {p.namespacesError ? <Unreadable why={p.namespacesError} /> : null}
      </section>
      <section>
        <h3>Open files {p.fds && !isPending(index.snapshot, 'fds') ? `(${p.fds.length})` : ''}</h3>
        {isPending(index.snapshot, 'fds') ? (
          <Pending snapshot={index.snapshot} part="fds">
            Open files and sockets
          </Pending>
        ) : p.fds === null ? (
          <Unreadable why={p.fdError ?? 'unknown'} />
        ) : (
          <table className="grid fds" data-testid="fds">
            <tbody>
              {p.fds.map((fd) => (
                <FdRow key={fd.fd} fd={fd} index={index} pid={p.pid} />
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section>
        <h3>Threads ({p.threads})</h3>
        {isPending(index.snapshot, 'threads') && p.threads > 1 ? (
          <Pending snapshot={index.snapshot} part="threads">
            Thread ids
          </Pending>
        ) : (
          <p className="wrap">{(p.tids ?? []).join(' ')}</p>
        )}
        <h3>Children</h3>
        <p className="wrap" data-testid="children">
          {(index.childrenOf.get(p.pid) ?? []).length === 0 ? <span className="muted">none</span> : (index.childrenOf.get(p.pid) ?? []).map((c) => <PidLink key={c} pid={c} label={`${index.byPid.get(c)?.name ?? ''}(${c})`} />)}
        </p>
        <h3>Cgroups</h3>
        <ul className="plain">
          {p.cgroups.map((c) => (
            <li key={c.hierarchy}>
              <Shown text={`${c.hierarchy}:${c.controllers.join(',')}:${c.path}`} />
            </li>
          ))}
        </ul>
      </section>
      {errors.length > 0 ? (
        <section>
          <h3>Could not read</h3>
          <ul className="plain">
            {errors.map((e, i) => (
              <li key={i}>
                <Shown text={`${e.scope}: ${e.message}`} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </aside>
  );
}
