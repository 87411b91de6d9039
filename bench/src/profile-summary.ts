/** Where a process's CPU went: V8 .cpuprofile self time by package, and Kafka's time by thread. */

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** The parts of V8's .cpuprofile format that we read. */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  /** Microseconds since the previous sample, one per sample. */
  timeDeltas: number[];
}

export interface Share {
  where: string;
  /** Percent of the busy (non-idle) time. */
  pct: number;
}

const V8_PSEUDO = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/**
 * What a frame belongs to, for a reader deciding what to tune: an npm package
 * ("kafkajs", "@nestjs/core"), a workspace of this repo ("libs/platform", "gateway"),
 * Node itself ("node"), or V8's own "(garbage collector)" / "(program)".
 */
export function ownerOf(frame: CallFrame): string {
  if (V8_PSEUDO.has(frame.functionName) && !frame.url) return frame.functionName;
  const url = frame.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const [first, second] = url.slice(nm + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.startsWith('node:') || (url && !url.startsWith('/'))) return 'node';
  const repo = /\/(libs\/[^/]+|gateway|user-service|product-service|order-service|bench)\/(dist|src)\//.exec(url);
  if (repo) return repo[1];
  return url ? 'other' : '(native)';
}

/** Owners that only say how, not who: their time goes to the library up the stack that called them. */
const NOT_AN_OWNER = new Set(['node', '(native)', 'other']);

/**
 * Self time grouped by `key` of the sampled frame (by default: the package that caused
 * it, so a socket write called by kafkajs counts for kafkajs), in % of the busy time,
 * largest first. Idle time and the profiler's own work (`dispatch`) are left out.
 */
export function selfTime(profile: CpuProfile, key: (frame: CallFrame) => string = ownerOf, top = 8): Share[] {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const attribute = (id: number): string => {
    const own = key(frames.get(id)!);
    if (key !== ownerOf || !NOT_AN_OWNER.has(own)) return own;
    for (let up = parents.get(id); up !== undefined; up = parents.get(up)) {
      const owner = ownerOf(frames.get(up)!);
      if (!NOT_AN_OWNER.has(owner) && !owner.startsWith('(')) return owner;
    }
    return own;
  };
  const totals = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === '(idle)' || (frame.functionName === 'dispatch' && !frame.url)) return;
    busy += dt;
    const k = attribute(id);
    totals.set(k, (totals.get(k) ?? 0) + dt);
  });
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, pct: Math.round((1000 * us) / Math.max(1, busy)) / 10 }));
}

/** A function and where it lives, for the top-functions list. */
export function functionOf(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(libs|gateway|user-service|product-service|order-service)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

/**
 * A Java thread's name as Linux shows it (15 characters), without the number that
 * tells instances apart: "data-plane-kafk" stays, "GC Thread#3" becomes "GC Thread".
 */
export function threadGroup(comm: string): string {
  return comm.trim().replace(/[#-]?\d+$/, '') || comm.trim();
}
