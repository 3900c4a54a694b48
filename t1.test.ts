import { collectSnapshot } from '../work/main/electron/engine/collect';
import { localSession } from '../work/main/electron/engine/session';
(async () => {
  let n = 0;
  const s = await collectSnapshot(localSession(), { compress: false, onChunk: undefined, onFirstRead: (x) => { n++; console.log('first', x.processes.length, x.node.pending); } } as any);
  console.log('full', s.processes.length, n);
})();
