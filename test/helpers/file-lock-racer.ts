// A child process for test/src/file-lock.test.ts: increments a counter file `rounds` times, each
// time under withFileLock, checking that nobody else is inside the lock at the same moment. After
// each round it "crashes" in place: it leaves a lock naming the dead process `deadPid`, so the
// other racers all find an abandoned lock at once and race to take it over.
// Usage: node file-lock-racer.ts <lock> <counter> <rounds> <deadPid>; prints how many locks it
// abandoned; exits 3 if it saw another holder inside the lock.
import { link, open, readFile, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { withFileLock } from '../../src/file-lock.ts';

const [lock, counter, rounds, deadPid] = process.argv.slice(2) as [string, string, string, string];
let overlaps = 0;
let abandoned = 0;
for (let i = 0; i < Number(rounds); i++) {
  await withFileLock(
    lock,
    async () => {
      const inside = await open(`${counter}.inside`, 'wx').catch(() => undefined);
      if (!inside) overlaps++;
      const n = Number(await readFile(counter, 'utf8'));
      await sleep(1);
      await writeFile(counter, String(n + 1));
      if (inside) {
        await inside.close();
        await rm(`${counter}.inside`);
      }
    },
    30_000,
  );
  const tmp = `${lock}.${process.pid}.plant`;
  await writeFile(tmp, deadPid);
  if (
    await link(tmp, lock).then(
      () => true,
      () => false,
    )
  )
    abandoned++;
  await rm(tmp, { force: true });
}
process.stdout.write(`${abandoned}\n`);
process.exitCode = overlaps > 0 ? 3 : 0;
