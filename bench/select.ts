// Benchmark: VM selection for a 5,000-VM inventory and a 200-line config (target < 50 ms),
// plus other sizes to show that matching grows linearly with VMs x selection lines, and the
// inventory diagnostics for 2,000 lines that match no VM (each one looks for a "did you mean").
// Run: node --import tsx bench/select.ts
import { performance } from 'node:perf_hooks';
import { parseConfig, type ParsedConfig } from '../runner/src/config';
import { inventoryDiagnostics, planSelection } from '../runner/src/select';
import type { Inventory, InventoryVm } from '../runner/src/pool/inventory';

const GROUPS = ['PROD', 'DEV', 'TEST', 'WEB', 'DB', 'TEMP', 'APP', 'INFRA'];

function makeInventory(count: number): Inventory {
  const vms: InventoryVm[] = [];
  for (let i = 0; i < count; i++) {
    const group = GROUPS[i % GROUPS.length]!;
    vms.push({
      uuid: `uuid-${i}`,
      ref: `OpaqueRef:${i}`,
      name: `${group}-vm${i}${i % 3 === 0 ? '.example.com' : ''}`,
      powerState: 'Running',
      isTemplate: i % 97 === 0,
      isSnapshot: i % 89 === 0,
      isControlDomain: false,
      disks: [],
    });
  }
  return { vms, source: 'fixture', fetchedAt: 0 };
}

/** Excludes first (plain and regex), then selections: half regexes, half plain names. */
function makeConfig(lines: number, vmCount: number): ParsedConfig {
  const out = ['max_backups=4'];
  const excludes = Math.max(1, Math.floor(lines / 10));
  for (let i = 0; i < excludes; i++)
    out.push(i % 2 ? `exclude=TEMP-vm${i * 7}.*` : `exclude=DEV-vm${(i * 8 + 1) % vmCount}`);
  for (let i = 0; out.length < lines; i++) {
    const group = GROUPS[i % GROUPS.length]!;
    switch (i % 4) {
      case 0:
        out.push(`vm-export=${group}-vm${i}[0-9]*:${(i % 5) + 1}`);
        break;
      case 1:
        out.push(`vm-export=${group}-vm${(i * 13) % vmCount}`);
        break;
      case 2:
        out.push(`vdi-export=${group}-vm${i}\\.example\\.com$`);
        break;
      default:
        out.push(`metadata-export=${group}-vm${(i * 17) % vmCount}`);
        break;
    }
  }
  return parseConfig(out.join('\n'));
}

function measure(vms: number, lines: number): { median: number; p95: number; selected: number } {
  const inventory = makeInventory(vms);
  const config = makeConfig(lines, vms);
  let selected = 0;
  for (let i = 0; i < 5; i++) planSelection(config, inventory); // warm-up (and pyre's cache)
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const plan = planSelection(config, inventory);
    samples.push(performance.now() - t0);
    selected = plan.vmExport.length + plan.vdiExport.length + plan.metadataExport.length;
  }
  samples.sort((a, b) => a - b);
  return { median: samples[15]!, p95: samples[28]!, selected };
}

console.log('planSelection (median / p95 of 30 runs):');
const sizes: Array<[number, number]> = [
  [1250, 100],
  [2500, 100],
  [5000, 100],
  [2500, 200],
  [5000, 200],
];
for (const [vms, lines] of sizes) {
  const { median, p95, selected } = measure(vms, lines);
  const perCell = (median * 1e6) / (vms * lines);
  console.log(
    `  ${String(vms).padStart(5)} VMs x ${String(lines).padStart(3)} lines: ` +
      `median ${median.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  ` +
      `(${perCell.toFixed(1)} ns per VM x line, ${selected} VMs selected)` +
      `${vms === 5000 && lines === 200 ? `  target < 50 ms: ${median < 50 ? 'OK' : 'MISSED'}` : ''}`,
  );
}

/** Plain names that match no VM: half are pool names in lower case (most get a suggestion), half match nothing. */
function measureNotFound(
  vms: number,
  lines: number,
): { median: number; p95: number; warnings: number; suggestions: number } {
  const inventory = makeInventory(vms);
  const out = ['max_backups=4'];
  for (let i = 0; out.length <= lines; i++) {
    out.push(i % 2 ? `vm-export=${GROUPS[i % GROUPS.length]!.toLowerCase()}-vm${i}` : `vm-export=missing-vm${i}`);
  }
  const config = parseConfig(out.join('\n'));
  const plan = planSelection(config, inventory);
  let diagnostics = inventoryDiagnostics(config, inventory, plan);
  for (let i = 0; i < 3; i++) diagnostics = inventoryDiagnostics(config, inventory, plan);
  const samples: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    inventoryDiagnostics(config, inventory, plan);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const warnings = diagnostics.filter((d) => d.code === 'VMB040');
  return {
    median: samples[7]!,
    p95: samples[14]!,
    warnings: warnings.length,
    suggestions: warnings.filter((d) => d.message.includes('Did you mean')).length,
  };
}

console.log('inventoryDiagnostics (median / max of 15 runs):');
{
  const { median, p95, warnings, suggestions } = measureNotFound(5000, 2000);
  console.log(
    `  2,000 non-matching lines x 5,000 VMs: median ${median.toFixed(2)} ms  max ${p95.toFixed(2)} ms  ` +
      `(${warnings} VMB040, ${suggestions} with "did you mean")`,
  );
}
