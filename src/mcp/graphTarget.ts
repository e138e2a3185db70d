// Where Graph calls go, for both transports: the embedded simulator with its own token when --simulate is set,
// otherwise the configured Graph root with the configured sign-in (with a warning when that sign-in cannot retry).
// Requests to the simulator never use a proxy: it runs inside this process, so HTTPS_PROXY or HTTP_PROXY could only
// send its traffic (and its token) out to a proxy that cannot reach it. Real Graph goes as the environment says.
import { chooseAuthMethod } from '../auth/chooseMethod.js';
import { AUTH_METHOD_INFO, isAppOnlyMethod } from '../auth/methods.js';
import type { Config } from '../config/config.js';
import type { ProxyUse } from '../graph/dispatcher.js';
import type { TokenProvider } from '../graph/types.js';
import type { Logger } from '../core/log.js';

export interface GraphTarget {
  /** Where Graph requests go: the configured root, or the embedded simulator's loopback address. */
  graphRoot: string;
  /** Set for the simulator; otherwise the deps build the configured sign-in. */
  tokenProvider?: TokenProvider;
  /** 'never' for the embedded simulator; 'environment' (HTTPS_PROXY / HTTP_PROXY / NO_PROXY) for real Graph. */
  proxy: ProxyUse;
  stop(): Promise<void>;
}

/** `ownSignIn` false: Graph is called on behalf of each caller (remote Entra mode), so the server's sign-in is not checked. */
export async function openGraphTarget(config: Config, logger: Logger, ownSignIn = true): Promise<GraphTarget> {
  if (config.simulate) {
    const { startSimulator } = await import('../simulator/index.js');
    const sim = await startSimulator({ variants: config.simulateVariants });
    logger.info(
      `simulator listening on ${sim.url}; results are simulated${config.simulateVariants.length ? ` (variants: ${config.simulateVariants.join(', ')})` : ''}`,
    );
    return {
      graphRoot: sim.url,
      tokenProvider: { description: 'embedded simulator token', delegated: true, getToken: async () => sim.token },
      proxy: 'never',
      stop: () => sim.close(),
    };
  }
  if (ownSignIn) {
    const choice = chooseAuthMethod({ method: config.auth, accessToken: config.accessToken }, process.env);
    if (isAppOnlyMethod(choice.method) && !config.readOnly) {
      logger.warn(
        `${AUTH_METHOD_INFO[choice.method].label} is app-only (${choice.reason}); Microsoft Graph does not support retrying bulk actions with application permissions, so only the read tools will work. Use a delegated method (CLOUDPC_MCP_AUTH=browser or devicecode) to retry.`,
      );
    }
  }
  return { graphRoot: config.graphRoot, proxy: 'environment', stop: async () => {} };
}
