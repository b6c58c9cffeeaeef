// The failure converter of every Airlock client, worker and workflow bundle: a failure's message
// and stack trace move into its encoded attributes, a payload, so the payload codec encrypts them
// like any other payload. Without it a refusal's reason, an API's error text or a stack trace is
// stored in clear in Temporal's history. Loaded by path (DataConverter.failureConverterPath) so the
// workflow sandbox gets the same one; it imports only @temporalio/common for that reason.
import { DefaultFailureConverter } from '@temporalio/common';

/** The failure converter the SDK loads from this file (the export name is the SDK's). */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
