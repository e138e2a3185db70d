// $filter: enough OData to catch a client that builds filters Graph would reject, with Graph's wording where it is
// known. Property names and string values compare case-insensitively, as Graph does for these Intune-backed collections.

import { BadRequest } from '../http.js';
import { tokenize, type Tok, type TokKind } from './odataLexer.js';

export type PropType = 'string' | 'datetime' | 'boolean' | 'int' | { enum: readonly string[] };

export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type FunctionName = 'startswith' | 'endswith' | 'contains' | 'isof';

export interface FilterSchema<T> {
  /** Qualified type name used in messages, e.g. 'microsoft.graph.cloudPC'. */
  typeName: string;
  properties: Record<string, PropType>;
  get: (item: T, property: string) => unknown;
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

type Literal =
  { t: 'string'; v: string } | { t: 'number'; v: number } | { t: 'bool'; v: boolean } | { t: 'null' } | { t: 'datetime'; v: number };
type Value = string | number | boolean | null;
interface Prop {
  name: string;
  type: PropType;
}

const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const DEFAULT_OPERATORS = new Set<string>([...COMPARISONS, 'in', 'and', 'or', 'not']);
const KIND_NAMES: Record<Comparison, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};
const EDM_TYPES = { string: 'Edm.String', datetime: 'Edm.DateTimeOffset', boolean: 'Edm.Boolean', int: 'Edm.Int32' } as const;
const LITERAL_TYPES = {
  string: 'Edm.String',
  number: 'Edm.Int32',
  bool: 'Edm.Boolean',
  null: 'null',
  datetime: 'Edm.DateTimeOffset',
} as const;

function compare(op: Comparison, a: Value, b: Value): boolean {
  if (op === 'eq') return a === b;
  if (op === 'ne') return a !== b;
  if (a === null || b === null) return false;
  if (op === 'gt') return a > b;
  if (op === 'ge') return a >= b;
  if (op === 'lt') return a < b;
  return a <= b;
}

/** Converts a literal to the comparable form of a property's type, rejecting mismatches as OData does. */
function coerce(prop: Prop, l: Literal, op: string): Value {
  if (l.t === 'null') return null;
  const type = prop.type;
  const mismatch = (): never => {
    const edm = typeof type === 'object' ? 'Enum' : EDM_TYPES[type];
    throw new BadRequest(
      `A binary operator with incompatible types was detected. Found operand types '${edm}' and '${LITERAL_TYPES[l.t]}' for operator kind '${op}'.`,
    );
  };
  if (typeof type === 'object') {
    if (l.t !== 'string') return mismatch();
    const member = type.enum.find((m) => m.toLowerCase() === l.v.toLowerCase());
    if (member === undefined) throw new BadRequest(`The string '${l.v}' is not a valid enumeration type constant.`);
    return member.toLowerCase();
  }
  if (type === 'string') return l.t === 'string' ? l.v.toLowerCase() : mismatch();
  if (type === 'datetime') return l.t === 'datetime' ? l.v : mismatch();
  if (type === 'boolean') return l.t === 'bool' ? l.v : mismatch();
  return l.t === 'number' ? l.v : mismatch();
}

class FilterParser<T> {
  private p = 0;
  private readonly toks: Tok[];
  private readonly ops: ReadonlySet<string>;
  private readonly fns: ReadonlySet<string>;

  constructor(
    private readonly text: string,
    private readonly schema: FilterSchema<T>,
  ) {
    this.toks = tokenize(text);
    this.ops = schema.operators ?? DEFAULT_OPERATORS;
    this.fns = schema.functions ?? new Set<string>(['startswith', 'endswith', 'contains', ...(schema.derivedTypes ? ['isof'] : [])]);
  }

  parse(): Predicate<T> {
    const result = this.orExpr();
    if (this.peek().k !== 'eof') this.syntax(this.peek());
    return result;
  }

  private peek(): Tok {
    return this.toks[this.p]!;
  }
  private next(): Tok {
    return this.toks[this.p++]!;
  }
  private syntax(tok: Tok): never {
    throw new BadRequest(`Invalid filter clause: syntax error at position ${tok.pos} in '${this.text}'.`);
  }
  private isWord(tok: Tok, w: string): boolean {
    return tok.k === 'ident' && tok.v.toLowerCase() === w;
  }
  private needOp(op: string): void {
    if (!this.ops.has(op)) throw new BadRequest(`Invalid filter clause: the operator '${op}' is not supported for this resource.`);
  }
  private expect(k: TokKind): Tok {
    const t = this.next();
    if (t.k !== k) this.syntax(t);
    return t;
  }

  private property(tok: Tok): Prop {
    const wanted = tok.v.toLowerCase();
    for (const [name, type] of Object.entries(this.schema.properties)) {
      if (name.toLowerCase() === wanted) return { name, type };
    }
    throw new BadRequest(`Could not find a property named '${tok.v}' on type '${this.schema.typeName}'.`);
  }

  private literal(): Literal {
    const t = this.next();
    if (t.k === 'str') return { t: 'string', v: t.v };
    if (t.k === 'num') return { t: 'number', v: Number(t.v) };
    if (t.k === 'dt') {
      const ms = Date.parse(t.v);
      if (Number.isNaN(ms)) throw new BadRequest(`Invalid filter clause: '${t.v}' is not a valid DateTimeOffset.`);
      return { t: 'datetime', v: ms };
    }
    if (t.k === 'ident') {
      const w = t.v.toLowerCase();
      if (w === 'true' || w === 'false') return { t: 'bool', v: w === 'true' };
      if (w === 'null') return { t: 'null' };
    }
    return this.syntax(t);
  }

  private valueOf(item: T, prop: Prop): Value {
    const v = this.schema.get(item, prop.name);
    if (v === null || v === undefined) return null;
    if (prop.type === 'datetime') return typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
    if (typeof v === 'string') return v.toLowerCase();
    if (typeof v === 'number' || typeof v === 'boolean') return v;
    return JSON.stringify(v).toLowerCase();
  }

  private callFunction(nameTok: Tok): Predicate<T> {
    const name = nameTok.v.toLowerCase();
    if (!['startswith', 'endswith', 'contains', 'isof'].includes(name)) {
      throw new BadRequest(
        `An unknown function with name '${nameTok.v}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`,
      );
    }
    if (!this.fns.has(name)) throw new BadRequest(`Invalid filter clause: the function '${name}' is not supported for this resource.`);
    this.expect('lp');
    if (name === 'isof') return this.isof();
    const prop = this.property(this.expect('ident'));
    this.expect('comma');
    const lit = this.literal();
    this.expect('rp');
    if (prop.type !== 'string' || lit.t !== 'string') {
      throw new BadRequest(`Invalid filter clause: the function '${name}' needs a string property and a string literal.`);
    }
    const needle = lit.v.toLowerCase();
    return (item) => {
      const v = this.valueOf(item, prop);
      if (typeof v !== 'string') return false;
      return name === 'startswith' ? v.startsWith(needle) : name === 'endswith' ? v.endsWith(needle) : v.includes(needle);
    };
  }

  private isof(): Predicate<T> {
    const arg = this.next();
    if (arg.k !== 'str')
      throw new BadRequest(`Invalid filter clause: only the single-argument form isof('microsoft.graph.<type>') is supported.`);
    this.expect('rp');
    const qualified = arg.v.replace(/^#/, '');
    const short = qualified.replace(/^microsoft\.graph\./i, '');
    const known = (this.schema.derivedTypes ?? []).find((d) => d.toLowerCase() === short.toLowerCase());
    if (known === undefined || !/^microsoft\.graph\./i.test(qualified)) {
      throw new BadRequest(`Invalid filter clause: the type '${arg.v}' is not a type derived from '${this.schema.typeName}'.`);
    }
    return (item) => (this.schema.typeOf?.(item) ?? '').toLowerCase() === known.toLowerCase();
  }

  private functionTerm(t: Tok): Predicate<T> {
    const fn = this.callFunction(t);
    // startswith(x,'y') eq true is the long form some clients send.
    if (!this.isWord(this.peek(), 'eq')) return fn;
    this.next();
    const l = this.literal();
    if (l.t !== 'bool') return this.syntax(t);
    return l.v ? fn : (item) => !fn(item);
  }

  private comparison(prop: Prop): Predicate<T> {
    const opTok = this.next();
    const op = opTok.k === 'ident' ? opTok.v.toLowerCase() : '';
    if (op === 'in') {
      this.needOp('in');
      this.expect('lp');
      const values: Value[] = [];
      for (;;) {
        values.push(coerce(prop, this.literal(), 'In'));
        const sep = this.next();
        if (sep.k === 'rp') break;
        if (sep.k !== 'comma') this.syntax(sep);
      }
      return (item) => values.includes(this.valueOf(item, prop));
    }
    if (!COMPARISONS.has(op)) return this.syntax(opTok);
    this.needOp(op);
    const target = coerce(prop, this.literal(), KIND_NAMES[op as Comparison]);
    return (item) => compare(op as Comparison, this.valueOf(item, prop), target);
  }

  private primary(): Predicate<T> {
    const t = this.peek();
    if (t.k === 'lp') {
      this.next();
      const inner = this.orExpr();
      this.expect('rp');
      return inner;
    }
    if (this.isWord(t, 'not')) {
      this.needOp('not');
      this.next();
      const inner = this.primary();
      return (item) => !inner(item);
    }
    if (t.k !== 'ident') return this.syntax(t);
    this.next();
    if (this.peek().k === 'lp') return this.functionTerm(t);
    return this.comparison(this.property(t));
  }

  private andExpr(): Predicate<T> {
    let left = this.primary();
    while (this.isWord(this.peek(), 'and')) {
      this.needOp('and');
      this.next();
      const l = left;
      const r = this.primary();
      left = (item) => l(item) && r(item);
    }
    return left;
  }

  private orExpr(): Predicate<T> {
    let left = this.andExpr();
    while (this.isWord(this.peek(), 'or')) {
      this.needOp('or');
      this.next();
      const l = left;
      const r = this.andExpr();
      left = (item) => l(item) || r(item);
    }
    return left;
  }
}

export function parseFilter<T>(text: string, schema: FilterSchema<T>): Predicate<T> {
  if (/\/(any|all)\s*\(/i.test(text)) {
    throw new BadRequest(`Invalid filter clause: lambda operators (any/all) are not supported for this resource.`);
  }
  const parser = new FilterParser(text, schema);
  if (text.trim() === '') throw new BadRequest(`Invalid filter clause: the filter is empty.`);
  return parser.parse();
}
