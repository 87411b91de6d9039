// A V8 CPU profile of a running app, between two signals:
//   NODE_OPTIONS="--require $PWD/bench/scripts/cpu-profile.cjs" npm start
//   kill -WINCH <pid>   # start profiling (put the load on now)
//   kill -URG <pid>     # stop, and write .stack/profiles/<pid>-<time>.cpuprofile
// Open the file in Chrome DevTools or speedscope. Node 20 refuses --cpu-prof in
// NODE_OPTIONS, and NestJS's shutdown hooks re-raise SIGTERM/SIGINT/SIGUSR2 (so a profile
// written at exit would be lost): hence two signals that nothing else here listens to.
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.join(process.cwd(), '.stack', 'profiles');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
process.on('SIGWINCH', () => session.post('Profiler.start'));
process.on('SIGURG', () =>
  session.post('Profiler.stop', (error, result) => {
    if (error) return console.error(`cpu-profile: ${error.message}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${process.pid}-${Date.now()}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(result.profile));
    console.error(`cpu-profile: wrote ${file}`);
  }),
);
