// Which clients render MCP Apps views is decided by our dependency-free check (core/mcpApps.ts), because the early
// answers run before anything is loaded. It must keep deciding exactly as @modelcontextprotocol/ext-apps does: these
// fail when an upgrade of that package changes the extension's name, its MIME type or where a client declares it.
import { EXTENSION_ID, getUiCapability, RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { describe, expect, it } from 'vitest';
import { declaresViews, UI_EXTENSION, VIEW_MIME_TYPE } from '../../src/core/mcpApps.js';

describe('MCP Apps client capability', () => {
  it('names the extension and the MIME type as ext-apps does', () => {
    expect(UI_EXTENSION).toBe(EXTENSION_ID);
    expect(VIEW_MIME_TYPE).toBe(RESOURCE_MIME_TYPE);
  });

  it.each([
    ['no capabilities', undefined],
    ['no extensions', { elicitation: {} }],
    ['another extension', { extensions: { 'io.example/other': { mimeTypes: [RESOURCE_MIME_TYPE] } } }],
    ['the extension without MIME types', { extensions: { [EXTENSION_ID]: {} } }],
    ['the extension with plain HTML only', { extensions: { [EXTENSION_ID]: { mimeTypes: ['text/html'] } } }],
    ['the extension with the MCP App MIME type', { extensions: { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } } }],
    ['the MIME type among others', { extensions: { [EXTENSION_ID]: { mimeTypes: ['text/html', RESOURCE_MIME_TYPE] } } }],
  ])('%s: decided as ext-apps decides', (_, caps) => {
    const theirs = getUiCapability(caps)?.mimeTypes?.includes(RESOURCE_MIME_TYPE) === true;
    expect(declaresViews(caps)).toBe(theirs);
  });

  it('renders views only for a client that declares the MCP App MIME type', () => {
    expect(declaresViews({ extensions: { [EXTENSION_ID]: { mimeTypes: [RESOURCE_MIME_TYPE] } } })).toBe(true);
    expect(declaresViews({ extensions: { [EXTENSION_ID]: {} } })).toBe(false);
  });
});
