// Search attribute keys: how operators find sensitive-action runs in the Temporal UI. They are not
// encrypted, so they carry ids and states only, never request bodies or secrets.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const AgentId = defineSearchAttributeKey('AgentId', SearchAttributeType.KEYWORD);
export const Capability = defineSearchAttributeKey('Capability', SearchAttributeType.KEYWORD);
export const ActionKind = defineSearchAttributeKey('ActionKind', SearchAttributeType.KEYWORD);
export const ApprovalState = defineSearchAttributeKey('ApprovalState', SearchAttributeType.KEYWORD);
export const Approver = defineSearchAttributeKey('Approver', SearchAttributeType.KEYWORD);
export const PolicyRule = defineSearchAttributeKey('PolicyRule', SearchAttributeType.KEYWORD);
/** Identity keys of everyone who may decide a pending request now (`teams:<aad>`, `slack:<id>`). */
export const ApproverKeys = defineSearchAttributeKey(
  'ApproverKeys',
  SearchAttributeType.KEYWORD_LIST,
);
