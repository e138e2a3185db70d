// A small OData query engine: enough $filter/$orderby/$select/$top/$skiptoken to catch a client that builds
// queries Graph would reject, with Graph's wording where it is known. Property names and string values
// compare case-insensitively, as Graph does for these Intune-backed collections.

import { BadRequest } from './http.js';

export type PropType = 'string' | 'datetime' | 'boolean' | 'int' | { enum: readonly string[] };

export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FunctionName = 'startswith' | 'endswith' | 'contains' | 'isof';

export interface FilterSchema<T> {
  /** Qualified type name used in messages, e.g. 'microsoft.graph.cloudPC'. */
  typeName: string;
  properties: Record<string, PropType>;
  get(item: T, property: string): unknown;
  /** Derived type names accepted by isof(), without namespace. */
  derivedTypes?: readonly string[];
  /** The item's derived type name, for isof(). */
  typeOf?(item: T): string;
  /** Defaults to all comparisons plus 'in', 'and', 'or', 'not'. */
  operators?: ReadonlySet<string>;
  /** Defaults to startswith, endswith, contains (and isof when derivedTypes is set). */
  functions?: ReadonlySet<FunctionName>;
}

export type Predicate<T> = (item: T) => boolean;

// ---------------------------------------------------------------- tokens

type TokKind = 'lp' | 'rp' | 'comma' | 'str' | 'num' | 'dt' | 'ident' | 'eof';
interface Tok {
  k: TokKind;
  v: string;
  pos: number;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?/;

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const syntax = (pos: number): never => {
    throw new BadRequest(`Invalid filter clause: syntax error at position ${pos} in '${text}'.`);
  };
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
    if (c === "'") {
      const start = i;
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) syntax(start);
        const d = text[i]!;
        if (d === "'") {
          if (text[i + 1] === "'") {
            v += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += d;
        i++;
      }
      out.push({ k: 'str', v, pos: start });
      continue;
    }
    const rest = text.slice(i);
    const dt = DATETIME.exec(rest);
    if (dt && dt[0].length > 4 && dt[0].includes('-')) {
      out.push({ k: 'dt', v: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      out.push({ k: 'num', v: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_@$][A-Za-z0-9_./@]*/.exec(rest);
    if (id) {
      // datetime'2024-08-30' is the literal form the report APIs document.
      if (id[0].toLowerCase() === 'datetime' && text[i + id[0].length] === "'") {
        const close = text.indexOf("'", i + id[0].length + 1);
        if (close < 0) syntax(i);
        out.push({ k: 'dt', v: text.slice(i + id[0].length + 1, close), pos: i });
        i = close + 1;
        continue;
      }
      out.push({ k: 'ident', v: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    syntax(i);
  }
  out.push({ k: 'eof', v: '', pos: text.length });
  return out;
}

// ---------------------------------------------------------------- parser

type Literal =
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'datetime'; v: number };

const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DEFAULT_OPERATORS = new Set<string>([...COMPARISONS, 'in', 'and', 'or', 'not']);

export function parseFilter<T>(text: string, schema: FilterSchema<T>): Predicate<T> {
  if (/\/(any|all)\s*\(/i.test(text)) {
    throw new BadRequest(`Invalid filter clause: lambda operators (any/all) are not supported for this resource.`);
  }
  const toks = tokenize(text);
  let p = 0;
  const ops = schema.operators ?? DEFAULT_OPERATORS;
  const fns: ReadonlySet<string> =
    schema.functions ?? new Set<string>(['startswith', 'endswith', 'contains', ...(schema.derivedTypes ? ['isof'] : [])]);

  const peek = (): Tok => toks[p]!;
  const next = (): Tok => toks[p++]!;
  const syntax = (tok: Tok): never => {
    throw new BadRequest(`Invalid filter clause: syntax error at position ${tok.pos} in '${text}'.`);
  };
  const isWord = (tok: Tok, w: string) => tok.k === 'ident' && tok.v.toLowerCase() === w;
  const needOp = (op: string) => {
    if (!ops.has(op)) throw new BadRequest(`Invalid filter clause: the operator '${op}' is not supported for this resource.`);
  };
  const expect = (k: TokKind): Tok => {
    const t = next();
    if (t.k !== k) syntax(t);
    return t;
  };

  const property = (tok: Tok): { name: string; type: PropType } => {
    const wanted = tok.v.toLowerCase();
    for (const [name, type] of Object.entries(schema.properties)) {
      if (name.toLowerCase() === wanted) return { name, type };
    }
    throw new BadRequest(`Could not find a property named '${tok.v}' on type '${schema.typeName}'.`);
  };

  const literal = (): Literal => {
    const t = next();
    switch (t.k) {
      case 'str':
        return { t: 'string', v: t.v };
      case 'num':
        return { t: 'number', v: Number(t.v) };
      case 'dt': {
        const ms = Date.parse(t.v);
        if (Number.isNaN(ms)) throw new BadRequest(`Invalid filter clause: '${t.v}' is not a valid DateTimeOffset.`);
        return { t: 'datetime', v: ms };
      }
      case 'ident': {
        const w = t.v.toLowerCase();
        if (w === 'true' || w === 'false') return { t: 'bool', v: w === 'true' };
        if (w === 'null') return { t: 'null' };
        return syntax(t);
      }
      default:
        return syntax(t);
    }
  };

  const edmName = (type: PropType): string =>
    typeof type === 'object' ? 'Enum' : { string: 'Edm.String', datetime: 'Edm.DateTimeOffset', boolean: 'Edm.Boolean', int: 'Edm.Int32' }[type];
  const litName = (l: Literal): string =>
    ({ string: 'Edm.String', number: 'Edm.Int32', bool: 'Edm.Boolean', null: 'null', datetime: 'Edm.DateTimeOffset' })[l.t];

  /** Converts a literal to the comparable form of a property's type, rejecting mismatches as OData does. */
  const coerce = (prop: { name: string; type: PropType }, l: Literal, op: string): string | number | boolean | null => {
    if (l.t === 'null') return null;
    const type = prop.type;
    const mismatch = (): never => {
      throw new BadRequest(
        `A binary operator with incompatible types was detected. Found operand types '${edmName(type)}' and '${litName(l)}' for operator kind '${op}'.`,
      );
    };
    if (typeof type === 'object') {
      if (l.t !== 'string') return mismatch();
      const member = type.enum.find((m) => m.toLowerCase() === l.v.toLowerCase());
      if (member === undefined) throw new BadRequest(`The string '${l.v}' is not a valid enumeration type constant.`);
      return member.toLowerCase();
    }
    switch (type) {
      case 'string':
        return l.t === 'string' ? l.v.toLowerCase() : mismatch();
      case 'datetime':
        return l.t === 'datetime' ? l.v : mismatch();
      case 'boolean':
        return l.t === 'bool' ? l.v : mismatch();
      case 'int':
        return l.t === 'number' ? l.v : mismatch();
    }
  };

  const valueOf = (item: T, prop: { name: string; type: PropType }): string | number | boolean | null => {
    const v = schema.get(item, prop.name);
    if (v === null || v === undefined) return null;
    if (prop.type === 'datetime') return typeof v === 'number' ? v : Date.parse(String(v));
    if (typeof v === 'string') return v.toLowerCase();
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    return String(v).toLowerCase();
  };

  const compare = (op: Comparison, a: string | number | boolean | null, b: string | number | boolean | null): boolean => {
    if (op === 'eq') return a === b;
    if (op === 'ne') return a !== b;
    if (a === null || b === null) return false;
    switch (op) {
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
      case 'lt':
        return a < b;
      case 'le':
        return a <= b;
    }
  };

  const callFunction = (nameTok: Tok): Predicate<T> => {
    const name = nameTok.v.toLowerCase();
    if (!['startswith', 'endswith', 'contains', 'isof'].includes(name)) {
      throw new BadRequest(
        `An unknown function with name '${nameTok.v}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    if (!fns.has(name)) throw new BadRequest(`Invalid filter clause: the function '${name}' is not supported for this resource.`);
    expect('lp');
    if (name === 'isof') {
      const arg = next();
      if (arg.k !== 'str') {
        throw new BadRequest(`Invalid filter clause: only the single-argument form isof('microsoft.graph.<type>') is supported.`);
      }
      expect('rp');
      const qualified = arg.v.replace(/^#/, '');
      const short = qualified.replace(/^microsoft\.graph\./i, '');
      const known = (schema.derivedTypes ?? []).find((d) => d.toLowerCase() === short.toLowerCase());
      if (known === undefined || !/^microsoft\.graph\./i.test(qualified)) {
        throw new BadRequest(`Invalid filter clause: the type '${arg.v}' is not a type derived from '${schema.typeName}'.`);
      }
      return (item) => (schema.typeOf?.(item) ?? '').toLowerCase() === known.toLowerCase();
    }
    const propTok = expect('ident');
    const prop = property(propTok);
    expect('comma');
    const lit = literal();
    expect('rp');
    if (prop.type !== 'string' || lit.t !== 'string') {
      throw new BadRequest(`Invalid filter clause: the function '${name}' needs a string property and a string literal.`);
    }
    const needle = lit.v.toLowerCase();
    return (item) => {
      const v = valueOf(item, prop);
      if (typeof v !== 'string') return false;
      return name === 'startswith' ? v.startsWith(needle) : name === 'endswith' ? v.endsWith(needle) : v.includes(needle);
    };
  };

  const primary = (): Predicate<T> => {
    const t = peek();
    if (t.k === 'lp') {
      next();
      const inner = orExpr();
      expect('rp');
      return inner;
    }
    if (isWord(t, 'not')) {
      needOp('not');
      next();
      const inner = primary();
      return (item) => !inner(item);
    }
    if (t.k !== 'ident') return syntax(t);
    next();
    if (peek().k === 'lp') {
      const fn = callFunction(t);
      // startswith(x,'y') eq true is the long form some clients send.
      if (isWord(peek(), 'eq')) {
        next();
        const l = literal();
        if (l.t !== 'bool') return syntax(t);
        return l.v ? fn : (item) => !fn(item);
      }
      return fn;
    }
    const prop = property(t);
    const opTok = next();
    const op = opTok.k === 'ident' ? opTok.v.toLowerCase() : '';
    if (op === 'in') {
      needOp('in');
      expect('lp');
      const values: (string | number | boolean | null)[] = [];
      for (;;) {
        values.push(coerce(prop, literal(), 'In'));
        const sep = next();
        if (sep.k === 'rp') break;
        if (sep.k !== 'comma') syntax(sep);
      }
      return (item) => values.includes(valueOf(item, prop));
    }
    if (!COMPARISONS.has(op)) return syntax(opTok);
    needOp(op);
    const kind = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' }[
      op as Comparison
    ];
    const target = coerce(prop, literal(), kind);
    return (item) => compare(op as Comparison, valueOf(item, prop), target);
  };

  const andExpr = (): Predicate<T> => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      needOp('and');
      next();
      const l = left;
      const r = primary();
      left = (item) => l(item) && r(item);
    }
    return left;
  };

  const orExpr = (): Predicate<T> => {
    let left = andExpr();
    while (isWord(peek(), 'or')) {
      needOp('or');
      next();
      const l = left;
      const r = andExpr();
      left = (item) => l(item) || r(item);
    }
    return left;
  };

  if (text.trim() === '') throw new BadRequest(`Invalid filter clause: the filter is empty.`);
  const result = orExpr();
  if (peek().k !== 'eof') syntax(peek());
  return result;
}

// ---------------------------------------------------------------- $orderby / $select / $top / $skiptoken

export interface SortKey {
  property: string;
  desc: boolean;
}

export function parseOrderBy(text: string, sortable: Record<string, PropType>, typeName: string): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z][A-Za-z0-9/]*)(?:\s+(asc|desc))?\s*$/i.exec(part);
    if (!m) throw new BadRequest(`Invalid $orderby clause: '${text}'.`);
    const name = Object.keys(sortable).find((k) => k.toLowerCase() === m[1]!.toLowerCase());
    if (name === undefined) throw new BadRequest(`Could not find a property named '${m[1]}' on type '${typeName}' that can be used in $orderby.`);
    keys.push({ property: name, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' });
  }
  return keys;
}

export function compareBy<T>(keys: SortKey[], get: (item: T, prop: string) => unknown): (a: T, b: T) => number {
  return (a, b) => {
    for (const k of keys) {
      const x = norm(get(a, k.property));
      const y = norm(get(b, k.property));
      if (x === y) continue;
      const c = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
      return k.desc ? -c : c;
    }
    return 0;
  };
}

function norm(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = String(v);
  // ISO timestamps sort correctly as text only when they share a format; compare them as instants.
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  return s.toLowerCase();
}

export function parseSelect(text: string, selectable: readonly string[], typeName: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(',')) {
    const want = raw.trim();
    if (want === '') throw new BadRequest(`Invalid $select clause: '${text}'.`);
    const name = selectable.find((s) => s.toLowerCase() === want.toLowerCase());
    if (name === undefined) throw new BadRequest(`Could not find a property named '${want}' on type '${typeName}'.`);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

export function parseTop(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new BadRequest(`Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`);
  const n = Number(text);
  // $top is used as the page size; 0 would make an endless chain of empty pages.
  if (n < 1) throw new BadRequest(`Invalid value '${text}' for $top query option found. $top must be at least 1.`);
  return n;
}

const SKIPTOKEN_TAG = 'cpcsim1:';

export function encodeSkipToken(offset: number): string {
  return Buffer.from(SKIPTOKEN_TAG + offset, 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): number {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const m = /^cpcsim1:(\d+)$/.exec(text);
  if (!text.startsWith(SKIPTOKEN_TAG) || !m) throw new BadRequest(`The $skiptoken '${token}' is invalid or has expired.`);
  return Number(m[1]);
}

/** Builds a query string that keeps '$' in option names, as Graph's own nextLinks do. */
export function buildQuery(params: [string, string][]): string {
  return params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}
