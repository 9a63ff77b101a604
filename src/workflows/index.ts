// Every workflow the consentline worker runs: the bundle entry point.
export { subscriberLifecycle } from './subscriber.js';
