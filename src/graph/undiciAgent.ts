// undici's Agent alone. The package's index also loads fetch, WebSocket, cookies, caches and mocks, which this server
// never uses: importing only the Agent keeps about 9 MiB of code and heap out of the process (`npm run bench`, RSS).
import type { Agent as AgentType } from 'undici';
import AgentImpl from 'undici/lib/dispatcher/agent.js';

export const Agent = AgentImpl as unknown as typeof AgentType;
export type Agent = AgentType;
