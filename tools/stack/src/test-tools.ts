import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { which } from './install';
import { CACHE_DIR, REPO_ROOT } from './paths';
import { run } from './processes';

const REQUIREMENTS = path.join(REPO_ROOT, 'tools', 'stack', 'python', 'requirements.txt');

/** Where Debian's `chromium` package puts the browser the Swagger UI test drives. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * schemathesis, in a virtual environment of its own under .stack/cache, installed from
 * PyPI with the versions pinned in tools/stack/python/requirements.txt (a changed file
 * makes a new environment). Answers the path of its executable.
 */
export async function installSchemathesis(opts: { quiet?: boolean } = {}): Promise<string> {
  const say = (msg: string) => console.log(`[stack] ${msg}`);
  const pins = fs.readFileSync(REQUIREMENTS);
  const venv = path.join(CACHE_DIR, `python-${createHash('sha256').update(pins).digest('hex').slice(0, 8)}`);
  const bin = path.join(venv, 'bin', 'schemathesis');
  const marker = path.join(venv, '.complete');
  if (fs.existsSync(marker)) {
    if (!opts.quiet) say(`schemathesis: installed in ${path.relative(REPO_ROOT, venv)}`);
    return bin;
  }
  const python = which('python3') ?? which('python');
  if (!python) throw new Error('schemathesis needs Python 3 with venv and pip (Debian: apt-get install python3-venv)');
  say(`schemathesis: installing from PyPI into ${path.relative(REPO_ROOT, venv)} ...`);
  fs.rmSync(venv, { recursive: true, force: true });
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const log = `${venv}.install.log`;
  await run(python, ['-m', 'venv', venv], { logFile: log });
  await run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS], { logFile: log });
  fs.writeFileSync(marker, `${new Date().toISOString()}\n`);
  say('schemathesis: ready');
  return bin;
}

/** Debian's Chromium, or why the browser test cannot run. */
export function chromiumOrWhy(): { path: string } | { missing: string } {
  return fs.existsSync(CHROMIUM) ? { path: CHROMIUM } : { missing: `${CHROMIUM} is missing: install Debian's chromium (as root: apt-get install -y chromium), as .ci/run does` };
}
