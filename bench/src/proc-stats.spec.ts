import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { parseMachineTicks, parseRssKb, parseStatTicks, ProcessSampler, treeRssKb } from './proc-stats';

describe('/proc parsing', () => {
  it('adds utime and stime of /proc/<pid>/stat', () => {
    const stat = '25473 (cat) R 25470 25470 22246 0 -1 4194304 98 0 0 0 170 30 0 0 20 0 1 0 172270 3133440 414';
    assert.equal(parseStatTicks(stat), 200);
  });

  it('adds the ticks of the children it waited for (cutime, cstime) when asked', () => {
    const stat = '25473 (postgres) S 1 25470 22246 0 -1 4194304 98 0 0 0 170 30 400 100 20 0 1 0 172270 3133440 414';
    assert.equal(parseStatTicks(stat), 200);
    assert.equal(parseStatTicks(stat, true), 700);
  });

  it('is not fooled by a command name with spaces and parentheses', () => {
    const stat = '77 (node (worker) x) S 1 77 77 0 -1 4194560 5 0 0 0 12 3 0 0 20 0 11 0 9 1 2';
    assert.equal(parseStatTicks(stat), 15);
  });

  it('reads VmRSS in kB from /proc/<pid>/status, and nothing for a process without memory', () => {
    assert.equal(parseRssKb('Name:\tnode\nVmHWM:\t  90000 kB\nVmRSS:\t   81234 kB\nRssAnon:\t 1 kB\n'), 81234);
    assert.equal(parseRssKb('Name:\tkworker\nState:\tI (idle)\n'), undefined);
  });

  it('counts the shared memory of a process and its children once, their own memory each', () => {
    const status = (rss: number, shmem: number) => `Name:\tpostgres\nVmRSS:\t${rss} kB\nRssAnon:\t1 kB\nRssShmem:\t${shmem} kB\n`;
    assert.equal(treeRssKb([status(30_000, 10_000), status(50_000, 40_000), status(20_000, 5000), 'Name:\tgone\n']), 20_000 + 10_000 + 15_000 + 40_000);
    assert.equal(treeRssKb(['']), undefined);
  });

  it('counts irq, softirq and steal as busy and iowait as idle in /proc/stat', () => {
    assert.deepEqual(parseMachineTicks('cpu  100 5 20 800 40 1 2 3 0 0\ncpu0 50 0 10 400 20 0 1 1 0 0\n'), { busy: 131, total: 971 });
  });
});

describe('on this machine', () => {
  it('counts the CPU of a process’s children, also once they have exited', async () => {
    const { spawn } = await import('node:child_process');
    const sampler = new ProcessSampler([{ name: 'tree', pid: process.pid, withChildren: true }], 20);
    sampler.start();
    const child = spawn(process.execPath, ['-e', 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 300_000);'], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const { processes } = sampler.stop();
    assert.ok(processes[0].cpuS >= 0.28, `the tree burnt ${processes[0].cpuS} s`);
  });

  it('measures the CPU this process burns, as Node counts it, and its resident memory', () => {
    const sampler = new ProcessSampler([{ name: 'self', pid: process.pid }], 20);
    sampler.start();
    const before = process.cpuUsage();
    const spent = () => {
      const used = process.cpuUsage(before);
      return (used.user + used.system) / 1e6;
    };
    while (spent() < 0.3) fs.statSync('/'); // 0.3 s of CPU, however long a busy machine takes to give it
    const nodeSays = spent();
    const { processes } = sampler.stop();
    assert.ok(Math.abs(processes[0].cpuS - nodeSays) < 0.08, `/proc says ${processes[0].cpuS} s, Node says ${nodeSays} s`);
    assert.ok(processes[0].peakRssMb > 10, `rss ${processes[0].peakRssMb} MB`);
  });
});
