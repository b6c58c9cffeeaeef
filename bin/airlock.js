#!/usr/bin/env node
// The `airlock` command: runs the TypeScript entry point directly (Node >= 22.18 strips types).
import '../src/cli/main.ts';
