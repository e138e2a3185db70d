import type { ToolDefinition } from './defineTool.js';
import { authStatus } from './authStatus.js';
import { decidePlan } from './decidePlan.js';
import { getBulkActionTool } from './getBulkAction.js';
import { listBulkActions } from './listBulkActions.js';
import { listCloudPcs } from './listCloudPcs.js';
import { retryBulkAction } from './retryBulkAction.js';

// Order is the order clients show them in: discovery first, then the write; last the plan view's app-only tool.
export const ALL_TOOLS: ToolDefinition[] = [listBulkActions, getBulkActionTool, listCloudPcs, retryBulkAction, authStatus, decidePlan];
