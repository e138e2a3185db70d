import { expect } from 'vitest';
import { GraphError } from '../../src/graph/errors.js';

/** The GraphError a Graph client call failed with; fails the test if it succeeded or threw anything else. */
export async function graphRejection(p: Promise<unknown>): Promise<GraphError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GraphError);
    return e as GraphError;
  }
  throw new Error('expected the request to fail');
}
