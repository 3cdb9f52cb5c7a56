/** Checks HTTP requests against an OpenAPI 3 document: operation, parameters, headers, body. */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CheckedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  hasBody: boolean;
}

export interface CheckResult {
  template?: string;
  params: Record<string, string>;
  problems: string[];
}

interface Route {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
  op: Json;
  item: Json;
}

export class OpenApiChecker {
  private readonly routes: Route[] = [];

  constructor(private readonly spec: Json) {
    for (const [template, item] of Object.entries<Json>(spec.paths)) {
      const segs = template.split('/').filter(Boolean);
      const names: string[] = [];
      const pattern = segs.map((s) => {
        const m = /^\{(.+)\}$/.exec(s);
        if (!m) return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(m[1]);
        return '([^/]+)';
      });
      const regex = new RegExp(`^/${pattern.join('/')}/?$`);
      for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
        if (item[method]) {
          this.routes.push({ method, template, regex, names, literals: segs.filter((s) => !s.startsWith('{')).length, op: item[method], item });
        }
      }
    }
  }

  resolve(node: Json): Json {
    let n = node;
    for (let i = 0; n && typeof n === 'object' && typeof n.$ref === 'string' && i < 20; i++) {
      n = n.$ref
        .slice(2)
        .split('/')
        .map((k: string) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
        .reduce((o: Json, k: string) => o?.[k], this.spec);
    }
    return n;
  }

  check(req: CheckedRequest): CheckResult {
    const method = req.method.toLowerCase();
    const candidates = this.routes.filter((r) => r.regex.test(req.path));
    const route = candidates.filter((r) => r.method === method).sort((a, b) => b.literals - a.literals)[0];
    if (!route) {
      const why = candidates.length ? `${req.method} is not an operation of ${candidates[0].template}` : `no path ${req.path} in the spec`;
      return { params: {}, problems: [why] };
    }
    const m = route.regex.exec(req.path)!;
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
    const problems: string[] = [];
    const declared = [...(route.item.parameters ?? []), ...(route.op.parameters ?? [])].map((p: Json) => this.resolve(p));
    this.checkSecurity(req, problems);
    for (const p of declared.filter((p: Json) => p.in === 'header')) this.checkHeader(p, req.headers[p.name.toLowerCase()], problems);
    this.checkQuery(declared.filter((p: Json) => p.in === 'query'), req.query, problems);
    this.checkBody(route.op.requestBody ? this.resolve(route.op.requestBody) : undefined, req, problems);
    return { template: route.template, params, problems };
  }

  private checkSecurity(req: CheckedRequest, problems: string[]) {
    const auth = req.headers.authorization;
    if (typeof auth !== 'string' || !/^Token token=\S+$/.test(auth)) {
      problems.push('header Authorization must be "Token token=<API_KEY>"');
    }
  }

  private checkHeader(p: Json, value: string | string[] | undefined, problems: string[]) {
    const v = Array.isArray(value) ? value.join(',') : value;
    if (v === undefined || v === '') {
      if (p.required) problems.push(`missing required header ${p.name}`);
      return;
    }
    const schema = this.resolve(p.schema) ?? {};
    if (p.name === 'Accept' && schema.default && v !== schema.default) problems.push(`header Accept must be ${schema.default}, got ${v}`);
    const media = v.split(';')[0].trim();
    if (schema.enum && !schema.enum.includes(v) && !schema.enum.includes(media)) problems.push(`header ${p.name}: ${v} not in ${schema.enum.join('|')}`);
    if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+$/.test(v)) problems.push(`header ${p.name} must be an email, got ${v}`);
  }

  private checkQuery(declared: Json[], query: URLSearchParams, problems: string[]) {
    const byName = new Map(declared.map((p) => [p.name, p]));
    for (const p of declared) if (p.required && !query.has(p.name)) problems.push(`missing required query parameter ${p.name}`);
    for (const key of new Set(query.keys())) {
      const p = byName.get(key);
      if (!p) {
        problems.push(`unknown query parameter ${key}`);
        continue;
      }
      let schema = this.resolve(p.schema) ?? {};
      if (schema.type === 'array') schema = this.resolve(schema.items) ?? {};
      for (const v of query.getAll(key)) {
        const bad = scalarProblem(schema, v);
        if (bad) problems.push(`query ${key}=${v}: ${bad}`);
      }
    }
  }

  private checkBody(rb: Json, req: CheckedRequest, problems: string[]) {
    if (!rb) {
      if (req.hasBody) problems.push('this operation takes no request body');
      return;
    }
    if (!req.hasBody) {
      if (rb.required !== false) problems.push('missing request body');
      return;
    }
    const schema = rb.content?.['application/json']?.schema;
    if (schema) this.validate(schema, req.body, 'body', problems);
  }

  /** A JSON Schema subset: $ref, allOf, oneOf/anyOf, type, enum, required, properties, items. */
  validate(node: Json, value: unknown, at: string, problems: string[]): void {
    const s = this.resolve(node);
    if (!s || typeof s !== 'object') return;
    if (value === null && s.nullable) return;
    if (s.allOf) for (const part of s.allOf) this.validate(part, value, at, problems);
    for (const key of ['oneOf', 'anyOf'] as const) {
      if (!s[key]) continue;
      const fits = s[key].some((alt: Json) => {
        const sub: string[] = [];
        this.validate(alt, value, at, sub);
        return sub.length === 0;
      });
      if (!fits) problems.push(`${at}: matches none of the ${key} alternatives`);
    }
    if (s.enum && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${s.enum.join('|')}`);
    const type = s.type ?? (s.properties || s.required ? 'object' : undefined);
    if (!type) return;
    const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
    const ok = type === 'integer' ? Number.isInteger(value) : type === 'number' ? actual === 'number' : actual === type;
    if (!ok) {
      problems.push(`${at}: expected ${type}, got ${actual}`);
      return;
    }
    if (type === 'object') {
      const obj = value as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in obj)) problems.push(`${at}: missing required field ${r}`);
      for (const [k, v] of Object.entries(obj)) {
        if (s.properties?.[k]) this.validate(s.properties[k], v, `${at}.${k}`, problems);
        else if (s.additionalProperties === false) problems.push(`${at}: unknown field ${k}`);
      }
    }
    if (type === 'array' && s.items) (value as unknown[]).forEach((v, i) => this.validate(s.items, v, `${at}[${i}]`, problems));
    if (type === 'string' && s.format === 'date-time' && Number.isNaN(Date.parse(value as string))) problems.push(`${at}: not a date-time`);
  }
}

function scalarProblem(schema: Json, v: string): string | undefined {
  if (schema.type === 'integer' && !/^-?\d+$/.test(v)) return 'not an integer';
  if (schema.type === 'boolean' && v !== 'true' && v !== 'false') return 'not a boolean';
  if (schema.enum && !schema.enum.includes(v)) return `not in ${schema.enum.join('|')}`;
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(v))) return 'not a date-time';
  return undefined;
}
