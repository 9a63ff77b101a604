// Prometheus metrics: one registry for the process. Business counters are
// exported so the API, activities and webhooks count the same things. Labels
// are closed sets (sources, statuses, rule names): never IDs or numbers.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'consentline_' });

export const httpRequestDuration = new Histogram({
  name: 'consentline_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const optInsTotal = new Counter({
  name: 'consentline_opt_ins_total',
  help: 'Opt-in requests by consent source and outcome (pending, active, refused, ...)',
  labelNames: ['source', 'outcome'] as const,
  registers: [registry],
});

export const optOutsTotal = new Counter({
  name: 'consentline_opt_outs_total',
  help: 'Opt-outs recorded, by source (keyword, api, carrier, admin)',
  labelNames: ['source'] as const,
  registers: [registry],
});

export const textsTotal = new Counter({
  name: 'consentline_texts_total',
  help: 'Outbound texts by message kind and status (sent, delivered, failed, skipped, ...)',
  labelNames: ['kind', 'status'] as const,
  registers: [registry],
});

export const holdsTotal = new Counter({
  name: 'consentline_holds_total',
  help: 'Texts held back, by the rule that held them (quiet_hours, frequency_cap, no_consent, ...)',
  labelNames: ['reason'] as const,
  registers: [registry],
});
