// Search attribute keys of exchanges: how operators find them in the Temporal UI
// (`FromAgent = "support-bot" AND ExchangeState = "working"`). Ids and states only, never text.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const FromAgent = defineSearchAttributeKey('FromAgent', SearchAttributeType.KEYWORD);
export const ToAgent = defineSearchAttributeKey('ToAgent', SearchAttributeType.KEYWORD);
export const ExchangeState = defineSearchAttributeKey('ExchangeState', SearchAttributeType.KEYWORD);
