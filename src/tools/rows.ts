// Row shapes several tools return, in one place so that tools never import each other.
import { z } from 'zod';
import type { BulkAction } from '../graph/bulkActions.js';

export const summaryShape = z.object({
  successfulCount: z.number(),
  failedCount: z.number(),
  inProgressCount: z.number(),
  pendingCount: z.number(),
  notSupportedCount: z.number(),
});

export const bulkActionRow = z.object({
  id: z.string(),
  displayName: z.string(),
  actionType: z.string(),
  status: z.string(),
  createdDateTime: z.string().optional(),
  initiatedByUserPrincipalName: z.string().optional(),
  cloudPcCount: z.number(),
  summary: summaryShape,
});

export function toRow(a: BulkAction): z.output<typeof bulkActionRow> {
  return {
    id: a.id,
    displayName: a.displayName,
    actionType: a.actionType,
    status: a.status,
    createdDateTime: a.createdDateTime,
    initiatedByUserPrincipalName: a.initiatedByUserPrincipalName,
    cloudPcCount: a.cloudPcIds.length,
    summary: a.actionSummary,
  };
}
