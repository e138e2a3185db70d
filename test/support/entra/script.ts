// How a test makes the stand-in answer otherwise than it would: with Entra's error for an AADSTS code, after a delay,
// or never. A scripted answer stands in for a grant only: each request is checked as usual first (a pending device
// code still answers "pending", a wrong secret is still refused), and the script speaks where Entra would have said yes.
import { setTimeout as sleep } from 'node:timers/promises';

/** The requests a script can answer: the browser sign-in page, and the token endpoint's grants. */
export type Flow = 'authorize' | 'device_code' | 'authorization_code' | 'refresh_token' | 'client_credentials' | 'on_behalf_of';

export interface ScriptedAnswer {
  flow: Flow;
  /** Only this user's requests (object id): the one signing in, or the one whose token on-behalf-of exchanges. */
  oid?: string;
  /** Entra's error with this AADSTS code (the table in errors.ts) instead of the grant. */
  aadsts?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer: the request stays open until the client gives up or the stand-in closes. */
  hang?: boolean;
  /** Answer this many matching requests, then step aside; default every one until the script is undone. */
  times?: number;
}

export class Script {
  readonly #answers: { answer: ScriptedAnswer; left: number }[] = [];

  /** Adds an answer; the function returned takes it back. The first matching answer added is used. */
  add(answer: ScriptedAnswer): () => void {
    const entry = { answer, left: answer.times ?? Infinity };
    this.#answers.push(entry);
    return () => {
      const i = this.#answers.indexOf(entry);
      if (i >= 0) this.#answers.splice(i, 1);
    };
  }

  /** The answer for a request Entra would grant (used up by one), or undefined: grant it. */
  take(flow: Flow, oid?: string): ScriptedAnswer | undefined {
    const entry = this.#answers.find((e) => e.left > 0 && e.answer.flow === flow && (e.answer.oid === undefined || e.answer.oid === oid));
    if (!entry) return undefined;
    entry.left -= 1;
    return entry.answer;
  }
}

/** Waits as scripted before the answer; never resolves for a request that must hang. */
export async function pace(answer: ScriptedAnswer): Promise<void> {
  if (answer.hang) return new Promise<never>(() => {});
  if (answer.delayMs) await sleep(answer.delayMs);
}
