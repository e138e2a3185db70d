// Tokens of an OData $filter (and of the report APIs' filter), with Graph's wording for a syntax error.

import { BadRequest } from '../http.js';

export type TokKind = 'lp' | 'rp' | 'comma' | 'str' | 'num' | 'dt' | 'ident' | 'eof';

export interface Tok {
  k: TokKind;
  v: string;
  pos: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;
const NUMBER = /^-?\d+(\.\d+)?/;
const IDENT = /^[A-Za-z_@$][A-Za-z0-9_./@]*/;

function syntaxError(text: string, pos: number): never {
  throw new BadRequest(`Invalid filter clause: syntax error at position ${pos} in '${text}'.`);
}

/** A quoted string starting at `start` (a doubled quote is one quote); returns the token and the index after it. */
function readQuoted(text: string, start: number): [Tok, number] {
  let v = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) syntaxError(text, start);
    const d = text[i]!;
    if (d === "'") {
      if (text[i + 1] === "'") {
        v += "'";
        i += 2;
        continue;
      }
      return [{ k: 'str', v, pos: start }, i + 1];
    }
    v += d;
    i++;
  }
}

/** A date-time, number or identifier at `i` (datetime'…' is the literal form the report APIs document). */
function readWord(text: string, i: number): [Tok, number] {
  const rest = text.slice(i);
  const dt = DATETIME.exec(rest);
  if (dt && dt[0].length > 4 && dt[0].includes('-')) return [{ k: 'dt', v: dt[0], pos: i }, i + dt[0].length];
  const num = NUMBER.exec(rest);
  if (num) return [{ k: 'num', v: num[0], pos: i }, i + num[0].length];
  const id = IDENT.exec(rest);
  if (!id) syntaxError(text, i);
  if (id[0].toLowerCase() === 'datetime' && text[i + id[0].length] === "'") {
    const close = text.indexOf("'", i + id[0].length + 1);
    if (close < 0) syntaxError(text, i);
    return [{ k: 'dt', v: text.slice(i + id[0].length + 1, close), pos: i }, close + 1];
  }
  return [{ k: 'ident', v: id[0], pos: i }, i + id[0].length];
}

export function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ k: c === '(' ? 'lp' : c === ')' ? 'rp' : 'comma', v: c, pos: i });
      i++;
      continue;
    }
    const [tok, end] = c === "'" ? readQuoted(text, i) : readWord(text, i);
    out.push(tok);
    i = end;
  }
  out.push({ k: 'eof', v: '', pos: text.length });
  return out;
}
