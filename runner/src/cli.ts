import { VERSION } from './version';

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`vmbackup ${VERSION}\n`);
  process.exit(0);
}
process.stderr.write('usage: vmbackup <password|password-file> <config|vm-selector> [preview]\n');
process.exit(1);
