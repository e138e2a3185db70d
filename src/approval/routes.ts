// The approval page's HTTP routes, mounted by the loopback page server (stdio, loopback HTTP) or by remote mode's
// handler. Who may decide: in token mode, whoever opens the one-time link (it reaches only the local user, never the
// model) — the link's token is exchanged for a cookie at once and is dead after that; in sign-in mode, only the plan's
// owner, signed in with Entra. Either way the decision is a POST that must come from the page itself: own Origin,
// the session cookie and the page's anti-forgery token.
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import { StoreUnavailableError } from '../store/errors.js';
import type { Budget, PageSession } from '../store/types.js';
import {
  ownerLabel,
  planProblem,
  PLAN_PROBLEM_TEXT,
  secretMatches,
  type Plan,
  type PlanOwner,
  type PlanStore,
} from '../tools/retry/plans.js';
import { clientAddress } from './clientAddress.js';
import { redirect, sendMessagePage, sendPlanPage } from './page.js';

export const APPROVE_PATH = '/approve';
const CALLBACK_PATH = `${APPROVE_PATH}/callback`;
const PLAN_PATH = /^\/approve\/(plan-[0-9a-f]{32})$/;
const SESSION_COOKIE = 'cpc_approval';
const SIGNIN_COOKIE = 'cpc_signin';
const MAX_FORM_BYTES = 4096;
/** Requests without a page session, per client address: enough for a person opening links, not for flooding. */
export const UNAUTHENTICATED_BUDGET: Budget = { perMinute: 30, burst: 20 };
/** Sign-ins in progress per client address; more drop that address's own oldest, never another address's. */
export const SIGN_INS_PER_ADDRESS = 5;
const SESSION_MS = 60 * 60_000;
const SIGNIN_MS = 10 * 60_000;

/** Remote mode's Entra sign-in (authorization code + PKCE), implemented in entraSignIn.ts. */
export interface SignIn {
  authorizeUrl(p: { redirectUri: string; state: string; codeChallenge: string }): Promise<string>;
  redeem(p: {
    code: string;
    redirectUri: string;
    codeVerifier: string;
    state: string;
  }): Promise<{ tid: string; oid: string; upn?: string }>;
}

export interface RoutesOptions {
  plans: PlanStore;
  logger: Logger;
  /** Origins the page is served at (the POST's Origin must be one); the first is used in links. */
  origins(): string[];
  /** Host header values accepted; undefined: not checked (behind a proxy, where sign-in protects the page). */
  hosts?(): ReadonlySet<string>;
  signIn?: SignIn;
  /** Set the Secure attribute on cookies (https). */
  secure: boolean;
  /** Proxies in front whose X-Forwarded-For entries are trusted (CLOUDPC_MCP_TRUSTED_PROXY_HOPS). */
  trustedProxyHops?: number;
}

/** Token mode: the one plan this browser opened the link of (planId); sign-in mode: who signed in (user). */
type Session = PageSession;

export type Routes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_FORM_BYTES) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', () => resolve(undefined));
  });
}

export function createRoutes(opts: RoutesOptions): Routes {
  const routes = new ApprovalRoutes(opts);
  return (req, res) => routes.handle(req, res);
}

/** The routes. Their state (browser sessions, sign-ins in progress, link tokens) lives in the plans' store, so any replica serves any request. */
class ApprovalRoutes {
  constructor(private readonly opts: RoutesOptions) {}

  private now(): number {
    return this.opts.plans.now();
  }

  private cookie(name: string, value: string, maxAgeS: number): string {
    return `${name}=${value}; Path=${APPROVE_PATH}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeS}${this.opts.secure ? '; Secure' : ''}`;
  }

  private get store() {
    return this.opts.plans.store;
  }

  private async newSession(res: ServerResponse, s: Omit<Session, 'csrf' | 'expiresAt'>): Promise<void> {
    const sid = randomBytes(24).toString('base64url');
    await this.store.putSession(sid, { ...s, csrf: randomBytes(24).toString('base64url'), expiresAt: this.now() + SESSION_MS });
    res.setHeader('set-cookie', this.cookie(SESSION_COOKIE, sid, SESSION_MS / 1000));
  }

  private async sessionOf(req: IncomingMessage): Promise<Session | undefined> {
    const sid = cookies(req).get(SESSION_COOKIE);
    return sid ? this.store.getSession(sid) : undefined;
  }

  /** DNS rebinding and cross-site requests: a foreign Host, or an Origin that is not the page's own, is refused. */
  private foreign(req: IncomingMessage): string | undefined {
    const host = (req.headers.host ?? '').toLowerCase();
    if (this.opts.hosts && !this.opts.hosts().has(host)) return `Host ${JSON.stringify(req.headers.host ?? '')} is not this approval page.`;
    const origin = req.headers.origin;
    if (origin !== undefined && !this.opts.origins().includes(String(origin)))
      return `Origin ${JSON.stringify(origin)} may not use this approval page.`;
    return undefined;
  }

  private async startSignIn(req: IncomingMessage, res: ServerResponse, returnTo: string): Promise<void> {
    const verifier = randomBytes(32).toString('base64url');
    const state = await this.store.startSignIn(
      this.address(req),
      { verifier, returnTo, expiresAt: this.now() + SIGNIN_MS },
      SIGN_INS_PER_ADDRESS,
    );
    if (!state)
      return sendMessagePage(
        res,
        503,
        'Too many sign-ins',
        'Too many sign-ins are in progress on this server just now. Try again in a few minutes.',
        { 'retry-after': '60' },
      );
    const url = await this.opts.signIn!.authorizeUrl({
      redirectUri: `${this.opts.origins()[0]}${CALLBACK_PATH}`,
      state,
      codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
    });
    // The state is also bound to this browser, so a sign-in started elsewhere cannot be completed here (login CSRF).
    redirect(res, url, { 'set-cookie': this.cookie(SIGNIN_COOKIE, state, SIGNIN_MS / 1000) });
  }

  private async callback(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const state = url.searchParams.get('state') ?? '';
    const pending = await this.store.takeSignIn(state);
    if (url.searchParams.get('error') !== null) {
      // Nothing from the query string reaches the page (anyone can craft this URL on our origin); the operator gets
      // Entra's error code, reduced to the characters such codes use.
      const code = (url.searchParams.get('error') ?? '').replace(/[^\w.-]/g, '').slice(0, 64) || '(empty)';
      this.opts.logger.warn('approval page: Entra sign-in returned an error', { error: code });
      return sendMessagePage(
        res,
        401,
        'Sign-in did not complete',
        'The sign-in did not complete, so nothing was decided. Open the approval link again to retry; if it keeps failing, the operator finds the reason in the server log.',
      );
    }
    if (!pending || this.now() >= pending.expiresAt || !secretMatches(cookies(req).get(SIGNIN_COOKIE), state)) {
      return sendMessagePage(
        res,
        400,
        'Sign-in expired',
        'This sign-in was not started in this browser, or it took too long. Open the approval link again.',
      );
    }
    let user: { tid: string; oid: string; upn?: string };
    try {
      user = await this.opts.signIn!.redeem({
        code: url.searchParams.get('code') ?? '',
        redirectUri: `${this.opts.origins()[0]}${CALLBACK_PATH}`,
        codeVerifier: pending.verifier,
        state,
      });
    } catch (err) {
      this.opts.logger.warn('approval page: sign-in failed', { error: (err as Error).message.split('\n')[0] });
      return sendMessagePage(
        res,
        401,
        'Sign-in failed',
        'Entra did not complete the sign-in. Open the approval link again; if it keeps failing, the operator checks the server log.',
      );
    }
    await this.newSession(res, { user: { kind: 'entra', ...user } });
    redirect(res, pending.returnTo);
  }

  private async planPage(req: IncomingMessage, res: ServerResponse, url: URL, planId: string, session: Session | undefined): Promise<void> {
    const { opts } = this;
    const plan = await opts.plans.get(planId);
    const token = url.searchParams.get('token');
    if (!opts.signIn && token !== null) {
      // The one-time link: its token becomes a cookie for this browser and is dead from now on (on every replica).
      if (!plan || !(await this.store.spendPageToken(planId, token))) {
        const used = plan && (usedLinkText(plan, this.now()) ?? (!(await this.store.hasPageToken(planId)) ? OPENED_ELSEWHERE : undefined));
        if (used) return sendMessagePage(res, 410, used.title, used.message);
        return sendMessagePage(
          res,
          403,
          'Link not valid',
          'This approval link is not valid: it was already opened (each link works once, in one browser), or it is wrong. Ask the assistant for a new link.',
        );
      }
      await this.newSession(res, { planId });
      // Off the address bar and out of the history: the page's own address carries no secret.
      return redirect(res, `${APPROVE_PATH}/${planId}`);
    }
    if (opts.signIn && !session?.user) return this.startSignIn(req, res, `${APPROVE_PATH}/${planId}`);
    if (!opts.signIn && session?.planId !== planId) {
      return sendMessagePage(
        res,
        403,
        'Link needed',
        'Open this page with the approval link the server sent (it works once, in one browser).',
      );
    }
    const caller: PlanOwner = session!.user ?? { kind: 'local' };
    const problem = planProblem(plan, caller, this.now());
    if (problem === 'foreign') {
      return sendMessagePage(
        res,
        403,
        'Not your plan',
        `You are signed in as ${ownerLabel(caller)}; this plan belongs to another user, and only they can approve it.`,
      );
    }
    if (problem === 'expired' && plan) {
      const said = usedLinkText(plan, this.now())!;
      return sendMessagePage(res, 410, said.title, said.message);
    }
    if (problem && !(problem === 'used' && plan))
      return sendMessagePage(res, 404, 'Plan not available', `This plan ${PLAN_PROBLEM_TEXT[problem]}.`);
    if (req.method === 'POST') return this.decide(req, res, plan!, session!, caller);
    const notice = plan!.outcome ? usedLinkText(plan!, this.now())?.message : plan!.state === 'approved' ? APPROVED_NOTICE : undefined;
    sendPlanPage(res, plan!, {
      csrf: session!.csrf,
      formAction: `${APPROVE_PATH}/${planId}`,
      now: this.now(),
      ...(notice ? { notice } : {}),
    });
  }

  /** The page's form: Approve or Decline, accepted only from the page itself (Origin and anti-forgery token). */
  private async decide(req: IncomingMessage, res: ServerResponse, plan: Plan, session: Session, caller: PlanOwner): Promise<void> {
    const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? await readForm(req) : undefined;
    if (!form || !req.headers.origin || !secretMatches(form.get('csrf'), session.csrf)) {
      return sendMessagePage(
        res,
        403,
        'Refused',
        'The decision must be sent from the approval page itself (missing or wrong anti-forgery token or Origin). Reload the page and try again.',
      );
    }
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'decline') return sendMessagePage(res, 400, 'Refused', 'Choose Approve or Decline.');
    const decided = await this.opts.plans.decide(plan.id, decision === 'approve', 'page', ownerLabel(caller));
    this.opts.logger.info(
      `approval page: plan ${plan.id} ${decided ? (decision === 'approve' ? 'approved' : 'declined') : 'was no longer pending'}`,
      { by: ownerLabel(caller) },
    );
    const notice = decided
      ? decision === 'approve'
        ? `${APPROVED_NOTICE} Reload this page later to see when it was sent.`
        : 'Declined — nothing will be sent. You can close this page.'
      : 'This plan was already decided.';
    sendPlanPage(res, (await this.opts.plans.get(plan.id)) ?? plan, {
      csrf: session.csrf,
      formAction: `${APPROVE_PATH}/${plan.id}`,
      notice,
      now: this.now(),
    });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://page.invalid');
    const isCallback = url.pathname === CALLBACK_PATH && this.opts.signIn !== undefined;
    const planId = PLAN_PATH.exec(url.pathname)?.[1];
    if (!isCallback && !planId) return false;
    const refusal = this.foreign(req);
    if (refusal) {
      this.opts.logger.warn('approval page: refused a request', { reason: refusal });
      sendMessagePage(res, 403, 'Refused', refusal);
      return true;
    }
    const method = req.method ?? 'GET';
    if (method !== 'GET' && !(method === 'POST' && planId)) {
      sendMessagePage(res, 405, 'Method not allowed', 'Open the page with GET; decisions are POSTed by its form.', {
        allow: planId ? 'GET, POST' : 'GET',
      });
      return true;
    }
    try {
      const session = await this.sessionOf(req);
      if (!session && !(await this.admitted(req, res))) return true;
      if (isCallback) await this.callback(req, res, url);
      else await this.planPage(req, res, url, planId!, session);
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      this.opts.logger.warn('approval page: the store is not reachable', { error: err.detail });
      if (!res.headersSent) sendMessagePage(res, 503, 'Try again shortly', err.message, { 'retry-after': '5' });
    }
    return true;
  }

  private address(req: IncomingMessage): string {
    return clientAddress(req, this.opts.trustedProxyHops ?? 0);
  }

  /** A request without a page session spends its address's budget (shared by every replica); over it: 429. */
  private async admitted(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const address = this.address(req);
    const charge = await this.store.take(`approve:${address}`, UNAUTHENTICATED_BUDGET);
    if (charge.ok) return true;
    this.opts.logger.info(`http: 429 approval page rate limit for ${address}: try again in ${charge.retryAfterS} s`);
    sendMessagePage(
      res,
      429,
      'Too many requests',
      `Too many requests from your address to the approval page; try again in ${charge.retryAfterS} s.`,
      { 'retry-after': String(charge.retryAfterS) },
    );
    return false;
  }
}

const APPROVED_NOTICE = 'Approved — the assistant can now send it.';

const OPENED_ELSEWHERE = {
  title: 'Link already used',
  message:
    'This link was already opened (each link works once, in one browser); the plan still waits for a decision there. To decide in this browser, ask the assistant for a new link.',
};

/**
 * Pure: what a used link (or a reopened page) says about its plan: sent, declined, expired, changed, or approved and
 * not yet sent. Only the plan's state: a link that was opened once grants nothing more.
 */
export function usedLinkText(plan: Plan, now: number): { title: string; message: string } | undefined {
  const o = plan.outcome;
  if (o?.kind === 'sent') {
    return {
      title: 'Plan sent',
      message: `This plan was approved and sent at ${new Date(o.at)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC')}, request id ${o.requestId ?? '(none)'}. Nothing more to do here.`,
    };
  }
  if (o?.kind === 'changed')
    return {
      title: 'Plan changed',
      message: 'The failed Cloud PCs changed before this plan was sent, so nothing was sent; the assistant offered a new plan.',
    };
  if (plan.state === 'declined') return { title: 'Plan declined', message: 'This plan was declined: nothing was sent.' };
  if (now >= plan.expiresAt)
    return {
      title: 'Plan expired',
      message: 'This plan expired before it was sent: nothing was sent. Ask the assistant to make a new plan.',
    };
  if (plan.state === 'approved') return { title: 'Plan approved', message: `${APPROVED_NOTICE} It has not been sent yet.` };
  return undefined;
}

/** Token mode's link: the page path with the plan's one-time token. */
export function tokenLink(origin: string, planId: string, token: string): string {
  return `${origin}${APPROVE_PATH}/${planId}?token=${encodeURIComponent(token)}`;
}
