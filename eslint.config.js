// Lint with type information: floating promises are errors, and workflow code may only import
// deterministic modules (no Node built-ins, src/, pino, dockerode or chat).
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
    files: ['sandbox/**/*.js', 'bin/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', AbortController: 'readonly' },
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: workflowForbidden }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts', 'bin/**/*.js', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
