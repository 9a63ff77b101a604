// /v1/programs/:programId/subscribers: opt-in, read, list, customer-service opt-out.
import { z } from 'zod';
import { type ApiCaller } from '../auth.js';
import { getSubscriber, listSubscribers, optIn, optOut, type SubscriberDeps, type SubscriberView } from '../../domain/subscribers.js';
import { ApiRoutes } from '../routing.js';
import { pageInfo } from '../schemas/common.js';
import { programParams } from '../schemas/programs.js';
import {
  optInBody,
  optInResultSchema,
  optOutBody,
  optOutResultSchema,
  subscriberListQuery,
  subscriberParams,
  subscriberSchema,
  subscriberSummarySchema,
} from '../schemas/subscribers.js';

/** Full numbers are for admins; everyone else sees the country code and the last four digits. */
export function maskPhone(e164: string | null, caller: ApiCaller): string | null {
  if (e164 === null || caller.role === 'admin') {
    return e164;
  }
  const visibleHead = e164.startsWith('+1') ? 2 : 3;
  return `${e164.slice(0, visibleHead)}${'*'.repeat(Math.max(0, e164.length - visibleHead - 4))}${e164.slice(-4)}`;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

function presentSubscriber(s: SubscriberView, caller: ApiCaller): z.input<typeof subscriberSchema> {
  return {
    ...s,
    phone: maskPhone(s.phone, caller),
    state: s.state as z.infer<typeof subscriberSchema>['state'],
    consentType: s.consentType as z.infer<typeof subscriberSchema>['consentType'],
    consentAt: iso(s.consentAt),
    confirmedAt: iso(s.confirmedAt),
    optedOutAt: iso(s.optedOutAt),
    nextMarketingSendAt: iso(s.nextMarketingSendAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

const subscriberList = z.object({ items: z.array(subscriberSummarySchema), ...pageInfo }).meta({ id: 'SubscriberList' });

export function subscriberRoutes(deps: SubscriberDeps): ApiRoutes {
  return new ApiRoutes('subscribers')
    .add({
      method: 'post',
      path: '/v1/programs/:programId/subscribers',
      operationId: 'optIn',
      summary: 'Opt a phone number in, with its consent evidence',
      description:
        "Starts the number's lifecycle (or joins the running one) and returns once it has evaluated the opt-in: `pending` while a double opt-in waits for YES, " +
        '`active` for single opt-in. A refused opt-in is 422 with the reasons. One number never gets two lifecycles in a program; send an Idempotency-Key to retry safely.',
      roles: ['marketer'],
      params: programParams,
      body: optInBody,
      idempotent: true,
      problems: ['not-found', 'invalid-phone', 'opt-in-refused', 'conflict', 'lifecycle-unavailable'],
      responses: {
        201: { description: 'New subscriber', schema: optInResultSchema },
        200: { description: 'Known subscriber; the opt-in was applied to its lifecycle', schema: optInResultSchema },
      },
      handle: async ({ params, body, caller, requestId }) => {
        const outcome = await optIn(deps, params.programId, body, { requestId, callerKeyId: caller.keyId });
        return {
          status: outcome.created ? 201 : 200,
          body: { ...outcome, phone: maskPhone(outcome.phone, caller) },
          headers: { Location: `/v1/programs/${outcome.programId}/subscribers/${outcome.subscriberId}` },
        };
      },
    })
    .add({
      method: 'get',
      path: '/v1/programs/:programId/subscribers',
      operationId: 'listSubscribers',
      summary: 'List subscribers, filtered by consent state and country',
      roles: ['marketer', 'auditor'],
      params: programParams,
      query: subscriberListQuery,
      problems: ['not-found'],
      responses: { 200: { description: 'A page of subscribers, oldest first', schema: subscriberList } },
      handle: async ({ params, query, caller }) => {
        const page = await listSubscribers(deps.db, params.programId, query);
        const items = page.items.map((r) => ({
          id: r.id,
          phone: maskPhone(r.phoneE164, caller),
          state: r.consentState,
          country: r.country,
          consentType: r.consentType,
          consentAt: iso(r.consentAt),
          createdAt: r.createdAt.toISOString(),
        }));
        return { status: 200, body: { items, nextCursor: page.nextCursor } };
      },
    })
    .add({
      method: 'get',
      path: '/v1/programs/:programId/subscribers/:subscriberId',
      operationId: 'getSubscriber',
      summary: "A subscriber's consent, jurisdiction, next allowed marketing send and pending texts",
      roles: ['marketer', 'auditor'],
      params: subscriberParams,
      problems: ['not-found'],
      responses: { 200: { description: 'The subscriber', schema: subscriberSchema } },
      handle: async ({ params, caller }) => ({
        status: 200,
        body: presentSubscriber(await getSubscriber(deps, params.programId, params.subscriberId), caller),
      }),
    })
    .add({
      method: 'post',
      path: '/v1/programs/:programId/subscribers/:subscriberId/opt-out',
      operationId: 'optOut',
      summary: 'Opt a subscriber out (customer service)',
      description: 'Returns only after the opt-out is in the consent ledger. Pending business texts are cancelled.',
      roles: ['marketer'],
      params: subscriberParams,
      body: optOutBody,
      idempotent: true,
      problems: ['not-found', 'conflict', 'lifecycle-unavailable'],
      responses: { 200: { description: 'Opted out', schema: optOutResultSchema } },
      handle: async ({ params, body, requestId }) => ({
        status: 200,
        body: await optOut(deps, params.programId, params.subscriberId, { requestId, reason: body.reason }),
      }),
    });
}
