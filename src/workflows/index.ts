// Every workflow the consentline worker runs: the bundle entry point.
export { subscriberLifecycle } from './subscriber.js';
export { campaignWorkflow } from './campaign.js';
export { policyChangeWorkflow } from './policy-change.js';
export { retentionSweep } from './retention.js';
export { importWorkflow } from './import.js';
