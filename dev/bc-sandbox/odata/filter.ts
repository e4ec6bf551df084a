import { type BcRecord, BLANK_DATE, BLANK_DATETIME, ZERO_GUID } from '../entities';
import { badRequest } from '../errors';

/** Parsed `$filter` expression. */
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; field: string; literal: Literal }
  | {
      kind: 'function';
      name: 'startswith' | 'endswith' | 'contains';
      field: string;
      literal: Literal;
    };

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'boolean'; value: boolean }
  | { type: 'datetime' | 'date'; value: number; text: string }
  | { type: 'guid'; value: string }
  | { type: 'null' };

type FieldType = 'string' | 'number' | 'boolean' | 'datetime' | 'date' | 'guid';

const COMPARE_OPS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['startswith', 'endswith', 'contains']);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Derives a property's EDM type from the blank value in the entity template. */
export function fieldTypeOf(template: BcRecord, field: string): FieldType {
  const value = template[field];
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (value === BLANK_DATETIME) return 'datetime';
  if (value === BLANK_DATE) return 'date';
  if (value === ZERO_GUID) return 'guid';
  return 'string';
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push(char);
      i += 1;
    } else if (char === "'") {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) throw syntaxError(`unterminated string starting at position ${i}`);
        if (text[j] === "'" && text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else if (text[j] === "'") {
          break;
        } else {
          value += text[j];
          j += 1;
        }
      }
      tokens.push(`'${value}`);
      i = j + 1;
    } else {
      let j = i;
      while (j < text.length && /[^\s(),']/.test(text[j] as string)) j += 1;
      tokens.push(text.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

function syntaxError(detail: string) {
  return badRequest('BadRequest', `Syntax error in $filter: ${detail}.`);
}

/** Parses a `$filter` value against the entity's properties (the template keys). */
export function parseFilter(text: string, template: BcRecord, typeName: string): FilterNode {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const next = (): string => {
    const token = tokens[position];
    if (token === undefined) throw syntaxError('unexpected end of expression');
    position += 1;
    return token;
  };
  const expect = (token: string): void => {
    const actual = next();
    if (actual !== token) throw syntaxError(`expected '${token}' but found '${actual}'`);
  };
  const property = (name: string): string => {
    if (!(name in template)) {
      throw badRequest(
        'BadRequest',
        `Could not find a property named '${name}' on type 'Microsoft.NAV.${typeName}'.`,
      );
    }
    return name;
  };

  const parseOr = (): FilterNode => {
    let left = parseAnd();
    while (peek()?.toLowerCase() === 'or') {
      next();
      const right = parseAnd();
      checkSameField(left, right);
      left = { kind: 'or', left, right };
    }
    return left;
  };
  const parseAnd = (): FilterNode => {
    let left = parseUnary();
    while (peek()?.toLowerCase() === 'and') {
      next();
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterNode => {
    if (peek()?.toLowerCase() === 'not') {
      next();
      return { kind: 'not', operand: parseUnary() };
    }
    if (peek() === '(') {
      next();
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const word = next();
    if (FUNCTIONS.has(word.toLowerCase()) && peek() === '(') {
      next();
      const field = property(next());
      expect(',');
      const literal = parseLiteral(next());
      expect(')');
      if (literal.type !== 'string') throw syntaxError(`${word} needs a string literal`);
      return { kind: 'function', name: word.toLowerCase() as 'startswith', field, literal };
    }
    const field = property(word);
    const op = next().toLowerCase();
    if (!COMPARE_OPS.has(op)) throw syntaxError(`unknown operator '${op}'`);
    const literal = parseLiteral(next());
    checkTypes(fieldTypeOf(template, field), literal, field);
    return { kind: 'compare', op: op as CompareOp, field, literal };
  };

  const node = parseOr();
  if (position < tokens.length) throw syntaxError(`unexpected '${tokens[position]}'`);
  return node;
}

function parseLiteral(token: string): Literal {
  if (token.startsWith("'")) return { type: 'string', value: token.slice(1) };
  if (GUID.test(token)) return { type: 'guid', value: token.toLowerCase() };
  if (/^\d{4}-\d{2}-\d{2}T/.test(token)) return timeLiteral('datetime', token);
  if (/^\d{4}-\d{2}-\d{2}$/.test(token)) return timeLiteral('date', `${token}T00:00:00Z`);
  if (/^-?\d+(\.\d+)?$/.test(token)) return { type: 'number', value: Number(token) };
  if (token === 'true' || token === 'false') return { type: 'boolean', value: token === 'true' };
  if (token === 'null') return { type: 'null' };
  throw syntaxError(`'${token}' is not a valid literal; quote strings with single quotes`);
}

function timeLiteral(type: 'datetime' | 'date', text: string): Literal {
  const value = Date.parse(text);
  if (Number.isNaN(value)) throw syntaxError(`'${text}' is not a valid ${type}`);
  return { type, value, text };
}

const edmType: Record<FieldType, string> = {
  string: 'Edm.String',
  number: 'Edm.Decimal',
  boolean: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  date: 'Edm.Date',
  guid: 'Edm.Guid',
};

function checkTypes(fieldType: FieldType, literal: Literal, field: string): void {
  if (literal.type === 'null') return;
  const accepted: Record<FieldType, Literal['type'][]> = {
    string: ['string'],
    number: ['number'],
    boolean: ['boolean'],
    datetime: ['datetime', 'date'],
    date: ['date'],
    // NOTE: it is not known whether BC accepts a quoted GUID; the sandbox accepts both forms.
    guid: ['guid', 'string'],
  };
  if (!accepted[fieldType].includes(literal.type)) {
    throw badRequest(
      'BadRequest',
      `A binary operator with incompatible types was detected. Found operand types '${edmType[fieldType]}' and '${literal.type}' for property '${field}'.`,
    );
  }
}

function fieldsOf(node: FilterNode): Set<string> {
  switch (node.kind) {
    case 'and':
    case 'or':
      return new Set([...fieldsOf(node.left), ...fieldsOf(node.right)]);
    case 'not':
      return fieldsOf(node.operand);
    default:
      return new Set([node.field]);
  }
}

/** BC rejects `or` between conditions on different properties. */
function checkSameField(left: FilterNode, right: FilterNode): void {
  const fields = new Set([...fieldsOf(left), ...fieldsOf(right)]);
  if (fields.size > 1)
    throw badRequest('BadRequest', "The 'OR' operator is not supported on distinct fields.");
}

/** Evaluates a parsed filter against one record. */
export function matchesFilter(node: FilterNode, record: BcRecord): boolean {
  switch (node.kind) {
    case 'and':
      return matchesFilter(node.left, record) && matchesFilter(node.right, record);
    case 'or':
      return matchesFilter(node.left, record) || matchesFilter(node.right, record);
    case 'not':
      return !matchesFilter(node.operand, record);
    case 'function':
      return matchesFunction(
        node.name,
        textOf(record[node.field]),
        String((node.literal as { value: string }).value),
      );
    case 'compare':
      return compare(node.op, record[node.field], node.literal);
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

function matchesFunction(
  name: 'startswith' | 'endswith' | 'contains',
  value: string,
  text: string,
): boolean {
  if (name === 'startswith') return value.startsWith(text);
  if (name === 'endswith') return value.endsWith(text);
  return value.includes(text);
}

function compare(op: CompareOp, value: unknown, literal: Literal): boolean {
  // BC is reported to ignore comparisons with null and return every record; the sandbox does too.
  if (literal.type === 'null') return true;
  let left: number | string | boolean;
  let right: number | string | boolean;
  if (literal.type === 'datetime' || literal.type === 'date') {
    left = Date.parse(
      /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${String(value)}T00:00:00Z` : String(value),
    );
    right = literal.value;
  } else if (literal.type === 'guid' || (literal.type === 'string' && GUID.test(String(value)))) {
    left = String(value).toLowerCase();
    right = literal.value.toLowerCase();
  } else {
    left = value as number | string | boolean;
    right = literal.value;
  }
  switch (op) {
    case 'eq':
      return left === right;
    case 'ne':
      return left !== right;
    case 'gt':
      return left > right;
    case 'ge':
      return left >= right;
    case 'lt':
      return left < right;
    case 'le':
      return left <= right;
  }
}
