// One JSON line on stderr per tool call in remote mode: who (caller UPN/oid), what (tool, bulk action, how many ids),
// and how it ended, with Graph's request-id so a line can be matched to Intune's own audit log and to a support case.
// Built from fixed fields only: no token, no free-form argument values beyond ids and counts; the two texts it copies
// (tool name, first line of an error) are redacted and bounded, since a caller chooses the one and may be echoed in the other.
import type { ToolCallAudit } from '../../mcp/server.js';
import { GraphError } from '../../graph/errors.js';
import type { Caller } from '../../auth/credentials/obo.js';
import { clip, redactSecrets } from '../../core/log.js';

export interface AuditLine {
  time: string;
  audit: 'tools/call';
  caller: { upn?: string; oid?: string; tid?: string } | 'local';
  tool: string;
  bulkActionId?: string;
  /** Cloud PC ids the call named; absent when it named none (a retry of every failed PC, or a read). */
  ids?: number;
  dryRun?: boolean;
  /** 'ok', the tool's own status (accepted, dryRun, declined), 'error' or 'refused' (a protocol-level refusal). */
  outcome: string;
  graphRequestId?: string;
  clientRequestId?: string;
  httpStatus?: number;
  /** First line of the error the caller saw. */
  error?: string;
  /** The retry plan the call was about, and for an executed plan how it was approved and by whom. */
  planId?: string;
  approvedVia?: string;
  approvedBy?: string;
}

const GUID_LIKE = /^[0-9A-Za-z-]{1,64}$/;
const PLAN_ID = /^plan-[0-9a-f]{32}$/;

const safeText = (text: string, max: number): string => clip(redactSecrets(text), max);
const firstLine = (text: string): string => safeText(text.split('\n')[0]!, 300);

export function auditLine(entry: ToolCallAudit, caller: Caller | undefined, now: Date = new Date()): AuditLine {
  const args = (entry.arguments && typeof entry.arguments === 'object' ? entry.arguments : {}) as Record<string, unknown>;
  const structured = (entry.result?.structuredContent ?? {}) as Record<string, unknown>;
  const line: AuditLine = {
    time: now.toISOString(),
    audit: 'tools/call',
    caller: caller ? { ...(caller.upn ? { upn: caller.upn } : {}), oid: caller.oid, tid: caller.tid } : 'local',
    tool: safeText(entry.tool, 100),
  } as AuditLine;
  // Only values shaped like ids are copied, so a hostile argument cannot forge or flood audit fields.
  if (typeof args.bulkActionId === 'string' && GUID_LIKE.test(args.bulkActionId)) line.bulkActionId = args.bulkActionId;
  const sent = Array.isArray(structured.cloudPcIds) && structured.cloudPcIds.length ? structured.cloudPcIds : undefined;
  if (sent) line.ids = sent.length;
  else if (Array.isArray(args.cloudPcIds)) line.ids = args.cloudPcIds.length;
  if (args.dryRun === true) line.dryRun = true;

  line.outcome = 'ok';
  if (!entry.result) {
    line.outcome = 'refused';
  } else if (entry.result.isError) {
    line.outcome = 'error';
    const first = entry.result.content?.find((c) => c.type === 'text');
    if (first && first.type === 'text') line.error = firstLine(first.text);
  } else if (typeof structured.status === 'string') {
    line.outcome = structured.status;
  }
  if (entry.error instanceof GraphError) {
    if (entry.error.requestId) line.graphRequestId = entry.error.requestId;
    if (entry.error.clientRequestId) line.clientRequestId = entry.error.clientRequestId;
    if (entry.error.status !== undefined) line.httpStatus = entry.error.status;
  }
  const planId = typeof structured.planId === 'string' ? structured.planId : args.planId;
  if (typeof planId === 'string' && PLAN_ID.test(planId)) line.planId = planId;
  const approval = structured.approval as { via?: unknown; by?: unknown } | undefined;
  if (typeof approval?.via === 'string') line.approvedVia = approval.via.slice(0, 20);
  if (typeof approval?.by === 'string') line.approvedBy = approval.by.slice(0, 200);
  if (typeof structured.requestId === 'string') line.graphRequestId = structured.requestId;
  if (typeof structured.clientRequestId === 'string') line.clientRequestId = structured.clientRequestId;
  if (!entry.result && entry.error instanceof Error) line.error = firstLine(entry.error.message);
  return line;
}

export type AuditSink = (line: string) => void;

export function createAuditor(sink: AuditSink = (l) => process.stderr.write(l + '\n')) {
  return (entry: ToolCallAudit, caller: Caller | undefined) => sink(JSON.stringify(auditLine(entry, caller)));
}
