import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { initdbArgs, passwdEntry, postgresArgs, postgresqlAccount, postgresqlBinaries, postgresqlUrl, postmasterReady } from './postgresql';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash\n';

/** The -c settings of a postgres command line, by name. */
function settings(args: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-c') continue;
    const [name, ...value] = args[i + 1].split('=');
    found[name] = value.join('=');
  }
  return found;
}

describe('the PostgreSQL under FerretDB', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'postgresql-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('listens on 127.0.0.1 and on a socket only its owner may open, in its data folder, and commits without waiting for the flush', () => {
    const args = postgresArgs('/data/pg', 5433);
    assert.deepEqual(args.slice(0, 2), ['-D', '/data/pg']);
    assert.deepEqual(settings(args), {
      listen_addresses: '127.0.0.1',
      port: '5433',
      unix_socket_directories: '/data/pg',
      unix_socket_permissions: '0700',
      synchronous_commit: 'off',
      plan_cache_mode: 'force_custom_plan',
    });
  });

  it('makes a UTF-8 cluster whose superuser is postgres, trusted on its own addresses', () => {
    assert.deepEqual(initdbArgs('/data/pg'), ['-D', '/data/pg', '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  });

  it('is reached by FerretDB through the socket in its data folder', () => {
    assert.equal(postgresqlUrl('/work/.stack/data/dev/postgresql', 5433), 'postgres://postgres@/postgres?host=%2Fwork%2F.stack%2Fdata%2Fdev%2Fpostgresql&port=5433');
  });

  it('runs as Debian’s postgres account when we are root, as ourselves otherwise, and says what to install when there is none', () => {
    assert.deepEqual(passwdEntry(PASSWD, 'postgres'), { uid: 101, gid: 104 });
    assert.equal(passwdEntry(PASSWD, 'nobody'), undefined);
    assert.deepEqual(postgresqlAccount(0, () => PASSWD), { uid: 101, gid: 104 });
    assert.deepEqual(postgresqlAccount(1000, () => ''), {});
    assert.throws(() => postgresqlAccount(0, () => 'root:x:0:0:root:/root:/bin/bash\n'), /refuses to run as root.*apt-get install -y postgresql/);
  });

  it('takes the newest installed version, or the one that made the cluster, and names the package when there is none', () => {
    assert.throws(() => postgresqlBinaries(undefined, path.join(root, 'nothing')), /apt-get install -y postgresql\)/);
    for (const version of ['9', '15', '16']) {
      fs.mkdirSync(path.join(root, version, 'bin'), { recursive: true });
      for (const bin of ['initdb', 'postgres']) fs.writeFileSync(path.join(root, version, 'bin', bin), '');
    }
    fs.mkdirSync(path.join(root, '17', 'bin'), { recursive: true }); // a client-only install: no server
    assert.deepEqual(postgresqlBinaries(undefined, root), { version: '16', bin: path.join(root, '16', 'bin') });
    assert.deepEqual(postgresqlBinaries('15', root), { version: '15', bin: path.join(root, '15', 'bin') });
    assert.throws(() => postgresqlBinaries('14', root), /made by PostgreSQL 14, and only 16, 15, 9 is installed: `npm run reset`/);
  });

  it('is ready when its own postmaster.pid says so, not one a killed run left', () => {
    const file = path.join(root, 'postmaster.pid');
    const pidFile = (pid: number, status: string) => fs.writeFileSync(file, [pid, '/data/pg', '1764590000', '5433', '/data/pg', '127.0.0.1', '  5433001   1', status, ''].join('\n'));
    assert.equal(postmasterReady(path.join(root, 'missing.pid'), 42), false);
    pidFile(42, 'starting');
    assert.equal(postmasterReady(file, 42), false);
    pidFile(42, 'ready   ');
    assert.equal(postmasterReady(file, 42), true);
    assert.equal(postmasterReady(file, 43), false);
  });
});
