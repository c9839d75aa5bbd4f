import type { RequestAttributes } from '../wire-format.js';
import type { KubernetesApi, SubjectAccessReviewSpec } from './kubernetes-api.js';
import type { Decision, RequestAuthorizer, UserInfo } from './request-auth.js';

/** The apiserver's delegated authorization cache (DelegatingAuthorizationOptions: allow and deny TTL 10 s). */
export const SAR_CACHE_TTL_MS = 10_000;
const SAR_CACHE_MAX = 10_000;
const MASTERS = 'system:masters';

/**
 * Authorization as an aggregated API server does it: `system:masters` is always allowed (so the
 * aggregator's availability probe never waits on the API server); everything else is asked of the
 * API server with a SubjectAccessReview, each answer cached for 10 s by user, groups, extra and
 * request attributes, and concurrent identical questions asked once. Metric reads are resource
 * requests (verb list, the metric as the resource); discovery paths are non-resource requests
 * (verb get, the path), which the default `system:discovery` role grants to authenticated users.
 */
export class SubjectAccessReviewAuthorizer implements RequestAuthorizer {
  private readonly cache = new Map<string, { readonly expires: number; readonly decision: Promise<Decision> }>();
  private reviews = 0;

  constructor(
    private readonly kubernetes: Pick<KubernetesApi, 'createSubjectAccessReview'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** SubjectAccessReviews sent so far. */
  get reviewsSent(): number {
    return this.reviews;
  }

  authorize(user: UserInfo, attributes: RequestAttributes): Promise<Decision> {
    if (user.groups.includes(MASTERS)) return Promise.resolve({ allowed: true, reason: `member of ${MASTERS}` });
    const spec: SubjectAccessReviewSpec = {
      user: user.name,
      ...(user.uid ? { uid: user.uid } : {}),
      groups: user.groups,
      extra: user.extra,
      ...(attributes.resourceRequest
        ? {
            resourceAttributes: {
              namespace: attributes.namespace,
              verb: attributes.verb,
              group: attributes.group,
              version: attributes.version,
              resource: attributes.resource,
            },
          }
        : { nonResourceAttributes: { path: attributes.path, verb: attributes.verb } }),
    };
    const key = JSON.stringify(spec);
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && cached.expires > now) return cached.decision;
    this.evict(now);
    this.reviews += 1;
    const decision = this.kubernetes.createSubjectAccessReview(spec).then((status): Decision => ({
      allowed: status.allowed === true && status.denied !== true,
      reason: [status.reason, status.evaluationError].filter(Boolean).join('; '),
    }));
    this.cache.set(key, { expires: now + SAR_CACHE_TTL_MS, decision });
    // The API server could not answer: ask again next time.
    decision.catch(() => this.cache.delete(key));
    return decision;
  }

  private evict(now: number): void {
    if (this.cache.size < SAR_CACHE_MAX) return;
    for (const [key, entry] of this.cache) if (entry.expires <= now) this.cache.delete(key);
    while (this.cache.size >= SAR_CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
  }
}
