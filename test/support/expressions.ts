// A small subset of GitHub Actions expressions: enough for post-if conditions and ${{ }} substitution.
// Follows GitHub's rules where they matter here: case-insensitive string equality, loose coercion
// across types, && / || returning operands, and an implicit success() when no status function is used.

export interface ExprContext {
  /** Named contexts: env, inputs, github, steps … (lookups are case-insensitive). */
  contexts: Record<string, unknown>;
  /** Job status as the status functions see it. */
  failed?: boolean;
  cancelled?: boolean;
}

type Token =
  | { kind: 'str'; value: string }
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'op'; value: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) throw new Error(`Unterminated string in expression: ${src}`);
        if (src[i] === "'" && src[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (src[i] === "'") {
          i++;
          break;
        } else {
          value += src[i++];
        }
      }
      tokens.push({ kind: 'str', value });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'id', value: m[0] });
      i += m[0].length;
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '&&', '||', '<=', '>='].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else if ('!()<>.,'.includes(c)) {
        tokens.push({ kind: 'op', value: c });
        i++;
      } else {
        throw new Error(`Unexpected character '${c}' in expression: ${src}`);
      }
    }
  }
  return tokens;
}

function lookup(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return null;
  const rec = obj as Record<string, unknown>;
  if (key in rec) return rec[key];
  const found = Object.keys(rec).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? null : rec[found];
}

export function truthy(v: unknown): boolean {
  return !(v === null || v === undefined || v === false || v === 0 || v === '' || Number.isNaN(v));
}

function toNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return v.trim() === '' ? 0 : Number(v);
  return Number.NaN;
}

function looseEquals(a: unknown, b: unknown): boolean {
  const na = a ?? null;
  const nb = b ?? null;
  if (typeof na === 'string' && typeof nb === 'string') return na.toLowerCase() === nb.toLowerCase();
  if (typeof na === typeof nb && (na === null || typeof na !== 'object')) return na === nb;
  if (typeof na === 'object' && na !== null) return na === nb;
  return toNumber(na) === toNumber(nb);
}

export function toExprString(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

class Parser {
  private pos = 0;
  usesStatusFunction = false;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: ExprContext,
  ) {}

  parse(): unknown {
    const v = this.or();
    if (this.pos < this.tokens.length) throw new Error(`Unexpected token '${this.peek()?.value}'`);
    return v;
  }
  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private eat(value: string): boolean {
    const t = this.peek();
    if (t?.kind === 'op' && t.value === value) {
      this.pos++;
      return true;
    }
    return false;
  }
  private or(): unknown {
    let left = this.and();
    while (this.eat('||')) {
      const right = this.and();
      left = truthy(left) ? left : right;
    }
    return left;
  }
  private and(): unknown {
    let left = this.comparison();
    while (this.eat('&&')) {
      const right = this.comparison();
      left = truthy(left) ? right : left;
    }
    return left;
  }
  private comparison(): unknown {
    const left = this.unary();
    const t = this.peek();
    if (t?.kind !== 'op' || !['==', '!=', '<', '>', '<=', '>='].includes(t.value)) return left;
    this.pos++;
    const right = this.unary();
    if (t.value === '==') return looseEquals(left, right);
    if (t.value === '!=') return !looseEquals(left, right);
    const [a, b] = [toNumber(left), toNumber(right)];
    return t.value === '<' ? a < b : t.value === '>' ? a > b : t.value === '<=' ? a <= b : a >= b;
  }
  private unary(): unknown {
    if (this.eat('!')) return !truthy(this.unary());
    return this.primary();
  }
  private primary(): unknown {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new Error('Unexpected end of expression');
    if (t.kind === 'str' || t.kind === 'num') return t.value;
    if (t.kind === 'op') {
      if (t.value !== '(') throw new Error(`Unexpected token '${t.value}'`);
      const v = this.or();
      if (!this.eat(')')) throw new Error("Expected ')'");
      return v;
    }
    const word = t.value.toLowerCase();
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === 'null') return null;
    if (this.eat('(')) return this.call(word);
    let value = lookup(this.ctx.contexts, t.value);
    while (this.eat('.')) {
      const prop = this.tokens[this.pos++];
      if (prop?.kind !== 'id') throw new Error('Expected a property name after .');
      value = lookup(value, prop.value);
    }
    return value;
  }
  private call(name: string): unknown {
    const args: unknown[] = [];
    if (!this.eat(')')) {
      do args.push(this.or());
      while (this.eat(','));
      if (!this.eat(')')) throw new Error(`Expected ')' after arguments of ${name}()`);
    }
    const str = (i: number) => toExprString(args[i]).toLowerCase();
    switch (name) {
      case 'always':
        this.usesStatusFunction = true;
        return true;
      case 'success':
        this.usesStatusFunction = true;
        return !this.ctx.failed && !this.ctx.cancelled;
      case 'failure':
        this.usesStatusFunction = true;
        return !!this.ctx.failed;
      case 'cancelled':
        this.usesStatusFunction = true;
        return !!this.ctx.cancelled;
      case 'contains':
        return str(0).includes(str(1));
      case 'startswith':
        return str(0).startsWith(str(1));
      case 'endswith':
        return str(0).endsWith(str(1));
      default:
        throw new Error(`Unsupported function ${name}()`);
    }
  }
}

function stripWrapper(expr: string): string {
  const m = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(expr);
  return (m ? (m[1] as string) : expr).trim();
}

export function evaluate(expr: string, ctx: ExprContext): unknown {
  return new Parser(tokenize(stripWrapper(expr)), ctx).parse();
}

/** A step condition (`if:`/`post-if:`): without a status function GitHub prefixes `success() &&`. */
export function evaluateCondition(expr: string, ctx: ExprContext): boolean {
  const parser = new Parser(tokenize(stripWrapper(expr)), ctx);
  const value = truthy(parser.parse());
  return parser.usesStatusFunction ? value : value && !ctx.failed && !ctx.cancelled;
}

/** Replaces every `${{ expr }}` in `text` with the expression's string value. */
export function interpolate(text: string, ctx: ExprContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expr: string) => toExprString(evaluate(expr, ctx)));
}

/** `${{ e }}` for workflow definitions in tests, built so linters don't take it for a template slip. */
export const expr = (e: string): string => `\${{ ${e} }}`;
