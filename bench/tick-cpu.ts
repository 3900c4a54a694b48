/**
 * The renderer's main-thread CPU per live tick, from a Chromium trace: the thread time (`tts`) between each
 * `procscope-reply` mark (the refresh reply reaching the page) and the next `procscope-painted` mark. On the bench's
 * machine the node and its collector share the two cores with the browser, so a tick's wall time measures the
 * contention as much as the page; its thread time is the page's own cost.
 */
interface Mark {
  name: string;
  ts: number;
  tts?: number;
}

export const TICK_CATEGORIES = ['blink.user_timing'];

export function tickCpuMs(trace: Buffer): number[] {
  const parsed = JSON.parse(trace.toString('utf8')) as { traceEvents?: Mark[] } | Mark[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const marks = events.filter((e) => e.name === 'procscope-reply' || e.name === 'procscope-painted').sort((a, b) => a.ts - b.ts);
  const out: number[] = [];
  let reply: Mark | null = null;
  for (const m of marks) {
    if (m.name === 'procscope-reply') reply = m;
    else if (reply) {
      if (reply.tts === undefined || m.tts === undefined) throw new Error('the trace has no thread times: the tick CPU cannot be measured');
      out.push((m.tts - reply.tts) / 1000);
      reply = null;
    }
  }
  return out;
}
