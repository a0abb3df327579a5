// Installs the web UI's front-end libraries from package-lock.json (npm ci: exact versions, integrity
// checked) into a work directory under target/, then copies only what the browser loads, with each
// package's licence, into the build's static files. Run by the Maven build (exec-maven-plugin,
// generate-resources): node build.mjs <work dir> <output dir>.
// The UI imports the libraries as ES modules (js/views/console.js); there is no bundler step.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [work, out] = process.argv.slice(2).map((p) => resolve(p));
if (!work || !out) {
  console.error('usage: node build.mjs <work dir> <output dir>');
  process.exit(2);
}

mkdirSync(work, { recursive: true });
for (const f of ['package.json', 'package-lock.json']) {
  cpSync(join(here, f), join(work, f));
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// --prefer-offline: a machine that installed them once builds without the registry
execFileSync(npm, ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: work, stdio: 'inherit' });

const modules = join(work, 'node_modules');
// [package dir, files and directories the browser needs (licences included)] -> out/<name>/
const wanted = {
  novnc: ['@novnc/novnc', ['core', 'vendor/pako/lib', 'vendor/pako/LICENSE', 'LICENSE.txt', 'AUTHORS']],
  xterm: ['@xterm/xterm', [['lib/xterm.mjs', 'xterm.mjs'], ['css/xterm.css', 'xterm.css'], 'LICENSE']],
};
rmSync(out, { recursive: true, force: true });
const lock = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8'));
const versions = [];
for (const [name, [pkg, files]] of Object.entries(wanted)) {
  for (const f of files) {
    const [from, to] = Array.isArray(f) ? f : [f, f];
    const target = join(out, name, to);
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(modules, pkg, from), target, { recursive: true });
  }
  const entry = lock.packages[`node_modules/${pkg}`];
  versions.push(`${pkg} ${entry.version} ${entry.integrity}`);
}
writeFileSync(join(out, 'VERSIONS'), versions.join('\n') + '\n');
console.log(`web UI libraries: ${versions.map((v) => v.split(' ').slice(0, 2).join(' ')).join(', ')} -> ${out}`);
