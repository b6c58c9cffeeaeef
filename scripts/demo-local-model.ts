// `make demo MODEL=local`: the demo's agents on a real language model on this machine's CPU. The
// engine (llama.cpp's OpenAI-compatible server, scripts/local-model.sh) is fetched and verified once,
// started on loopback behind a random key that goes into the vault like any model key, and the
// agents are pointed at it through a copy of the demo policy (only their `model` blocks change).
// No script: the model decides, so the story may differ from the scripted one; `followStory`
// reports whatever the agent does and (oneshot) approves each card as Bob.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../src/config.ts';
import { localModels, startLocalModel, type LocalModel } from '../src/dev/local-model.ts';
import { openVault } from '../src/vault/open.ts';

/** The credential the engine's key is stored under. */
const keyName = 'local-model-key';

/** Start the local engine, store its key, and write the policy copy that points the agents at it. */
export async function startDemoModel(
  config: Config,
  say: (text: string) => void,
): Promise<{ engine: LocalModel; policyDir: string }> {
  const name = config.AIRLOCK_LOCAL_MODEL;
  say(
    `model: a REAL language model on this CPU (${localModels[name].alias}, Q4_K_M GGUF; downloaded, assembled and sha256-checked into .cache the first time)`,
  );
  const apiKey = `sk-local-${randomBytes(24).toString('hex')}`;
  const engine = await startLocalModel({
    name,
    port: config.AIRLOCK_LOCAL_MODEL_PORT,
    apiKey,
    onEvent: (e) => say(`  local model: ${e}`),
  });
  say(
    `  ${engine.info.name} (${engine.info.architecture}, ${engine.info.quantization}, ${(engine.info.bytes / 1e9).toFixed(2)} GB) at ${engine.baseUrl}; its key is in the vault as ${keyName}`,
  );
  await openVault(config).put({
    name: keyName,
    kind: 'bearer',
    secret: apiKey,
    scope: {
      hosts: [`127.0.0.1:${config.AIRLOCK_LOCAL_MODEL_PORT}`],
      methods: ['POST'],
      paths: ['/v1/**'],
      agents: ['support-bot', 'research-bot'],
    },
  });
  const policyDir = join(config.AIRLOCK_DATA_DIR, 'demo-local-policy');
  await mkdir(policyDir, { recursive: true });
  const yaml = await readFile(join(config.AIRLOCK_POLICY_DIR, 'airlock.yaml'), 'utf8');
  await writeFile(join(policyDir, 'airlock.yaml'), pointAtEngine(yaml, engine));
  return { engine, policyDir };
}

/** The demo policy with every agent's model block pointed at `engine` (and a short tool loop). */
export function pointAtEngine(yaml: string, engine: Pick<LocalModel, 'baseUrl' | 'alias'>): string {
  const out = yaml
    .replaceAll('endpoint: http://127.0.0.1:4011/v1', `endpoint: ${engine.baseUrl}`)
    .replaceAll('model: airlock-standin', `model: ${engine.alias}\n      maxSteps: 6`)
    .replaceAll('apiKeyCredential: model-api-key', `apiKeyCredential: ${keyName}`)
    .replaceAll('credentials: [refunds-api-key]', `credentials: [refunds-api-key]`);
  if (!out.includes(engine.baseUrl) || out.includes('airlock-standin'))
    throw new Error('the demo policy no longer has the model blocks MODEL=local rewrites');
  return out;
}
