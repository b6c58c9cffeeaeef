// Messages of durableWaitWorkflow.
import { defineSignal } from '@temporalio/workflow';

/** Wire name `release`: lets the waiting workflow finish with `token`. */
export const releaseSignal = defineSignal<[{ token: string }]>('release');
