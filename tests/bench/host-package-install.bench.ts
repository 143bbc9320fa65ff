/**
 * `npm install -g hydraflow-host-<v>.tgz` into an empty prefix (what a user runs, and what the
 * contract and release tests do), with better-sqlite3's prebuilt binary fetched from a loopback
 * mirror, against the same install with `--ignore-scripts` (npm resolving, fetching from its
 * cache or the registry and extracting, alone) in the same run. Goal: under 60 s.
 */
import { buildHostPackage, installHostPackage } from '../support/host-package';

const ROUNDS = Number(process.env.HF_BENCH_ROUNDS ?? 3);
const tarball = buildHostPackage();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const full: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const plain = await installHostPackage(tarball, { ignoreScripts: true });
  baseline.push(plain.installSeconds);
  plain.remove();
  const installed = await installHostPackage(tarball);
  full.push(installed.installSeconds);
  installed.remove();
}
const value = median(full);
const base = median(baseline);
console.log(JSON.stringify({ bench: 'host-package-install', figure: 'npm_install_g_s', value, baseline: base, baselineName: 'same install, --ignore-scripts', ratio: Number((value / base).toFixed(2)), goal: '< 60 s', rounds: ROUNDS }));
