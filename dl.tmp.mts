
import { download } from '/work/wt/agentless/runner/src/host/xapi-download.ts';
import { Agent } from 'undici';
import { rmSync } from 'node:fs';
const [url, mode] = process.argv.slice(2);
const u = new URL(url);
const t0 = performance.now();
const o = await download({ base: new URL(u.origin), path: u.pathname, query: Object.fromEntries(u.searchParams), dispatcher: new Agent(), file: '/tmp/agl-dl.bin', ...(mode === 'check' ? { check: { kind: 'raw', virtualSize: 1024 ** 3 } } : {}) });
console.log(mode, (performance.now() - t0).toFixed(0), 'ms', o.kind, process.resourceUsage().maxRSS / 1024 | 0, 'MB');
rmSync('/tmp/agl-dl.bin');
