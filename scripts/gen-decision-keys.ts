// Makes the development key pair the webhook signs approval decisions with, once: the private key
// (base64 PKCS#8 DER, mode 0600) and the public key (base64 SPKI DER) under the given directory.
// Existing keys are kept. Usage: node scripts/gen-decision-keys.ts <dir>   (scripts/up.sh)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDecisionKeyPair } from '../src/receipts/keys.ts';

const dir = process.argv[2] ?? '.data';
const privateFile = join(dir, 'decision-signing.key');
const publicFile = join(dir, 'decision-public.key');
if (!existsSync(privateFile) || !existsSync(publicFile)) {
  mkdirSync(dir, { recursive: true });
  const pair = generateDecisionKeyPair();
  writeFileSync(privateFile, `${pair.privateKey}\n`, { mode: 0o600 });
  writeFileSync(publicFile, `${pair.publicKey}\n`, { mode: 0o644 });
  process.stderr.write(`[airlock] new decision signing key ${pair.keyId} in ${dir}\n`);
}
