// undici ships types for its index only; the Agent's own module exports the same class.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: unknown;
  export default Agent;
}
