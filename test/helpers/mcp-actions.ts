// A policy file for MCP calls as sensitive actions, beside the demo policy of an action fixture
// (the set merges every file of its directory): agent notes-bot holds `mcp:notes`, the stdio test
// server written with the SDK (test/helpers/mcp-servers), which writes every call it receives to
// a file. Its echo and big tools are allowed, write_note needs Alice (unless it mentions a
// password: denied), crash and rug need her too.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testServerScript } from './mcp-servers/servers.ts';

/** Where the notes server writes; `calls(tool)` counts the calls of `tool` it received. */
export interface NotesServer {
  callsFile: string;
  notesFile: string;
  rugFile: string;
  calls(tool: string): number;
}

/** Write `policies/notes.yaml` into the fixture directory `dir`; the server's files live in `dir`. */
export function writeNotesPolicy(dir: string): NotesServer {
  const files = {
    callsFile: join(dir, 'calls.txt'),
    notesFile: join(dir, 'notes.txt'),
    rugFile: join(dir, 'rug.txt'),
  };
  const json = JSON.stringify;
  writeFileSync(
    join(dir, 'policies/notes.yaml'),
    `
agents:
  - id: notes-bot
    sensitivity: action
    capabilities: [mcp:notes]
    talkers: { users: [riley] }
mcpServers:
  - id: notes
    command:
      command: ${json(process.execPath)}
      args: [${json(testServerScript)}]
      env:
        CALLS_FILE: ${json(files.callsFile)}
        NOTES_FILE: ${json(files.notesFile)}
        RUG_FILE: ${json(files.rugFile)}
    tools: [echo, write_note, crash, rug, big]
    timeout: 20s
rules:
  - { id: notes-echo, capability: mcp:notes, tool: [echo, big], decision: allow }
  - id: notes-no-secrets
    capability: mcp:notes
    tool: write_note
    when: [{ field: text, glob: '*password*' }]
    decision: deny
  - id: notes-write
    capability: mcp:notes
    tool: [write_note, crash, rug]
    decision: approve
    approval: { approvers: { users: [alice] }, expiry: { after: 1h } }
`,
  );
  return {
    ...files,
    calls: (tool) =>
      existsSync(files.callsFile)
        ? readFileSync(files.callsFile, 'utf8')
            .split('\n')
            .filter((l) => l === tool).length
        : 0,
  };
}
