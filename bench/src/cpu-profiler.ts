/**
 * Preloaded into every app by `npm run bench -- --profile` (NODE_OPTIONS=--require):
 * a SIGWINCH starts V8's CPU profiler inside the process, the next SIGWINCH stops it and
 * writes <BENCH_PROFILE_DIR>/<pid>-<n>.cpuprofile, so one profile covers exactly one
 * measured run. SIGWINCH because its default is to do nothing, and NestJS's
 * enableShutdownHooks() shuts the app down on SIGUSR2. (`node --cpu-prof` is not allowed
 * in NODE_OPTIONS and only writes at a clean exit, which a SIGTERM-stopped app does not make.)
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector';
import * as path from 'node:path';

const dir = process.env.BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  let running = false;
  let written = 0;
  process.on('SIGWINCH', () => {
    running = !running;
    if (running) {
      session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')));
      return;
    }
    session.post('Profiler.stop', (err, result) => {
      if (err) return console.error(`cpu-profiler: ${err.message}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}-${++written}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
