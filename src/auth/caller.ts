// Who called, in remote mode: the identity everything kept per user (Graph tokens, caches, plans) is keyed by.

export interface Caller {
  /** Entra object id of the user: with tid, the key of everything kept per user. */
  oid: string;
  tid: string;
  /** UPN (or preferred_username) for audit lines; absent for some guest accounts. */
  upn?: string;
  /** The validated token, to be exchanged on behalf of the user. Never logged. */
  assertion: string;
  /** Epoch ms when the caller's token expires. */
  expiresAt: number;
}
