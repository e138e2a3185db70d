import { describe, expect, it } from 'vitest';
import { formValidator } from '../../src/mcp/formValidator.js';

const confirmForm = formValidator.getValidator<{ confirm: boolean }>({
  type: 'object',
  properties: {
    confirm: { type: 'boolean' },
    note: { type: 'string' },
    level: { type: 'string', enum: ['a', 'b'] },
    n: { type: 'integer' },
  },
  required: ['confirm'],
});

describe('elicitation answer check', () => {
  it.each([
    [{ confirm: true }, true],
    [{ confirm: false, note: 'x', level: 'b', n: 3 }, true],
    [{}, false],
    [{ confirm: 'yes' }, false],
    [{ confirm: true, level: 'c' }, false],
    [{ confirm: true, n: 1.5 }, false],
    [{ confirm: true, extra: 1 }, false],
    [null, false],
    [[true], false],
  ])('%j valid: %s', (answer, valid) => {
    expect(confirmForm(answer).valid).toBe(valid);
  });

  it('says what was wrong', () => {
    const r = confirmForm({ confirm: 'yes' });
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.errorMessage).toBe('confirm must be true or false');
  });
});
