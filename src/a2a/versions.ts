// A2A protocol versions on the wire. A client names its version in the `A2A-Version` header (or
// the `A2A-Version` query parameter); only Major.Minor counts (`1.0.0` is 1.0), and no header
// means 0.3 (A2A spec 3.6). A v0.3 client reads a v0.3-shaped card, which also carries the v1.0
// interfaces (as the SDK's own compat card does), so a client of either version finds its own.
import type { IncomingMessage } from 'node:http';
import { A2A_VERSION_HEADER, type AgentCard } from '@a2a-js/sdk';

/** The version a request asks for, as Major.Minor: `0.3` when it names none. */
export function requestedVersion(req: IncomingMessage): string {
  const raw = req.headers[A2A_VERSION_HEADER.toLowerCase()];
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get(A2A_VERSION_HEADER);
  const named = (Array.isArray(raw) ? raw[0] : raw)?.trim() || query?.trim() || '';
  return majorMinor(named);
}

/** `1.0.0` → `1.0`, `1` → `1.0`, empty → `0.3`; anything else as it was (and refused later). */
export function majorMinor(version: string): string {
  if (version === '') return '0.3';
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.\d+)?$/.exec(version);
  return m ? `${Number(m[1])}.${Number(m[2] ?? 0)}` : version;
}

/** True for the versions the v0.3 compat handler serves (0.x). */
export const isLegacy = (version: string): boolean => /^0\.\d+$/.test(version);

/** The v0.3 shape of `card` (A2A 0.3 JSON schema), with the v1.0 interfaces kept beside it. */
export function legacyCard(card: AgentCard, v1: object): object {
  const legacy = card.supportedInterfaces.find((i) => isLegacy(i.protocolVersion));
  const primary = legacy ?? card.supportedInterfaces[0];
  return {
    protocolVersion: '0.3.0',
    name: card.name,
    description: card.description,
    url: primary?.url ?? '',
    preferredTransport: primary?.protocolBinding ?? 'JSONRPC',
    version: card.version,
    capabilities: {
      streaming: card.capabilities?.streaming ?? false,
      pushNotifications: card.capabilities?.pushNotifications ?? false,
    },
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'The token Airlock issued this client (AIRLOCK_A2A_TOKENS).',
      },
    },
    security: [{ bearer: [] }],
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags,
      examples: s.examples,
      inputModes: s.inputModes,
      outputModes: s.outputModes,
    })),
    supportsAuthenticatedExtendedCard: card.capabilities?.extendedAgentCard ?? false,
    supportedInterfaces: (v1 as { supportedInterfaces?: unknown }).supportedInterfaces ?? [],
  };
}
