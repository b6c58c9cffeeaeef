// Lint with type information: floating promises are errors, workflow code may only import
// deterministic modules (no Node built-ins, src/, pino, dockerode or chat), and every other floor
// of the house imports only the floors below it (`floors` below; top: cli, workers, scripts, bench).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const workflowForbidden = [
  {
    group: ['node:*', 'fs', 'path', 'crypto', 'child_process', 'os', 'http', 'https', 'net'],
    message: 'Workflow code must be deterministic: no Node built-ins.',
  },
  {
    group: ['pino', 'dockerode', 'chat', '@chat-adapter/*', 'yaml', 'jose'],
    message: 'Workflow code may not import side-effecting libraries.',
  },
  {
    group: [
      '@temporalio/client',
      '@temporalio/worker',
      '@temporalio/activity',
      '@temporalio/testing',
    ],
    message: 'Workflow code may only import @temporalio/workflow and @temporalio/common.',
  },
  {
    group: ['**/src/**', '../../src/*', '../src/*'],
    message: 'Workflow code may not import src/, not even types: shared shapes live in workflows/.',
  },
  {
    group: ['**/activities/*', '!**/activities/*.types.ts'],
    message: 'Workflow code may not import activities (use import type).',
    allowTypeImports: true,
  },
];

// The floors, bottom to top: rooms (folders of src/, its single files, activities/, the entry
// points) and what each floor is. A file imports its own floor and those below, never one above,
// type imports included; that no import between rooms runs in a circle is checked by
// test/floors.test.ts. workflows/ is the ground under all of them, guarded on its own
// (workflowForbidden). src/webhook and src/chat/agents (inside chat) are planned rooms. src/dev
// holds stand-ins and demo tools: only scripts, bench and tests use it, and it uses the ground.
export const floors = [
  // Errors, logging, HTTP helpers, durable writes, configuration, decision keys.
  [
    'errors.ts',
    'http.ts',
    'glob.ts',
    'request-path.ts',
    'canonical-json.ts',
    'log-redact.ts',
    'log.ts',
    'file-lock.ts',
    'durable-file.ts',
    'config.ts',
    'config',
    'receipts',
  ],
  // Sanitizer, policy, vault, audit, state, grants, actions, Temporal plumbing, sandbox driver, MCP.
  [
    'sanitize',
    'policy',
    'vault',
    'audit',
    'state',
    'grants',
    'actions',
    'temporal',
    'sandbox',
    'mcp',
  ],
  // Each box's gateway, the A2A server and client, agent sessions.
  ['gateway', 'a2a', 'agents'],
  // The activities workflows run.
  ['activities'],
  // The webhook edge, and what posts to people.
  ['chat', 'webhook'],
  // Dependency wiring, entry points, tools.
  ['deps.ts', 'cli', 'workers', 'scripts', 'bench', 'dev'],
];

const outside = new Set(['activities', 'workers', 'scripts', 'bench']);
const filesOf = (room) =>
  outside.has(room)
    ? `${room}/**/*.ts`
    : room.endsWith('.ts')
      ? `src/${room}`
      : `src/${room}/**/*.ts`;
// A relative import of a room from any depth: `../vault/x.ts`, `../../src/chat/x.ts`, `./log.ts`.
const importOf = (room) =>
  `^(\\.\\.?/)+(src/)?${room.replace('.', '\\.')}${room.endsWith('.ts') ? '$' : '/'}`;
const refuse = (rooms, why) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    { patterns: rooms.map((room) => ({ regex: importOf(room), message: why(room) })) },
  ],
});

// One block per floor below the top: nothing of a floor above it may be imported.
const floorBlocks = floors.slice(0, -1).map((rooms, i) => ({
  files: rooms.map(filesOf),
  rules: refuse(
    floors.slice(i + 1).flat(),
    (room) =>
      `${room} stands on a floor above this file's (eslint.config.js, floors): move the shared piece down, or inject it from the entry file.`,
  ),
}));

// src/dev is a tool: it imports the ground floor only.
const devBlock = {
  files: ['src/dev/**/*.ts'],
  rules: refuse(
    floors
      .slice(1)
      .flat()
      .filter((room) => room !== 'dev'),
    (room) => `src/dev (stand-ins and demo tools) imports only the ground floor, not ${room}.`,
  ),
};

export default tseslint.config(
  { ignores: ['node_modules/', '.cache/', '.data/', 'dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // The in-box programs (Airlock's runner, other harnesses) and the CLI: plain Node.
    files: ['sandbox/**/*.js', 'harnesses/*/src/**/*.js', 'bin/**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        AbortController: 'readonly',
        fetch: 'readonly',
      },
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: workflowForbidden }],
    },
  },
  ...floorBlocks,
  devBlock,
  {
    files: ['src/cli/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'bin/**/*.js', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
