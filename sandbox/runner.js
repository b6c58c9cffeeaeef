// Placeholder agent runner inside the sandbox: prints what it can see, proving the box has Node,
// no network and a read-only root. The real agent runner replaces this in a later issue.
import { networkInterfaces } from 'node:os';

const seen = {
  node: process.version,
  uid: process.getuid(),
  interfaces: Object.keys(networkInterfaces()),
};
process.stdout.write(JSON.stringify(seen) + '\n');
