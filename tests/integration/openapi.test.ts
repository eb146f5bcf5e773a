/**
 * The OpenAPI description of /api/v1 against the real app: every route registered under
 * /api/v1 is described (and nothing described is missing), the document holds together
 * ($refs resolve, every operation answers something, path parameters are declared), it
 * is served at GET /api/v1/openapi.json, and what the GET routes really answer fits the
 * schemas it gives for them.
 */
import { request } from 'node:http';
import type { Express } from 'express';
import {
  openApiDocument,
  type HttpMethod,
  type JsonSchema,
  type OpenApiDocument,
  type ParameterObject,
  type Reference,
} from '../../server/http/openapi';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { closeAll, startServer, type TestServer } from '../support/harness';

const BASE = '/api/v1';
const METHODS: readonly HttpMethod[] = ['get', 'post', 'patch', 'delete'];

// ---------- the routes the app really has ----------

interface RouteLike {
  path: unknown;
  methods: Record<string, boolean>;
}
interface LayerLike {
  rawPath?: unknown;
  route?: RouteLike;
  handle?: unknown;
}

function stackOf(value: unknown): LayerLike[] | null {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null || !('stack' in value)) return null;
  return Array.isArray(value.stack) ? (value.stack as LayerLike[]) : null;
}

function pathsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** "METHOD /full/path" for every route in a router and the routers mounted in it. */
function registeredRoutes(stack: LayerLike[], prefix = ''): string[] {
  const found: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const path of pathsOf(layer.route.path)) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on) found.push(`${method.toUpperCase()} ${prefix}${path}`);
      }
      continue;
    }
    const inner = stackOf(layer.handle);
    if (!inner) continue;
    const mounts = pathsOf(layer.rawPath);
    for (const mount of mounts.length > 0 ? mounts : ['/'])
      found.push(...registeredRoutes(inner, `${prefix}${mount === '/' ? '' : mount}`));
  }
  return found;
}

/** The top router of the Express app that createApp built. */
function expressStack(app: Express): LayerLike[] {
  const stack = stackOf(app.router);
  if (!stack) throw new Error('the app has no router stack to walk');
  return stack;
}

/** "GET /briefings/{slug}" from "GET /api/v1/briefings/:slug". */
function asDocumented(route: string): string {
  const [method = '', path = ''] = route.split(' ');
  return `${method} ${path.slice(BASE.length).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
}

function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

// ---------- the document holding together ----------

function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function allRefs(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) allRefs(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else allRefs(value, found);
    }
  }
  return found;
}

function isReference(value: unknown): value is Reference {
  return typeof value === 'object' && value !== null && '$ref' in value;
}

// ---------- answers held against the document (ajv, JSON Schema 2020-12) ----------

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** The problems of `value` against `schema`, whose references point into the document's components. */
function check(document: OpenApiDocument, schema: JsonSchema | Reference, value: unknown): string[] {
  const validate = ajv.compile({ ...schema, components: document.components });
  return validate(value) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '$'} ${error.message ?? ''}`);
}

/** The schema the document gives for `status` of `method path` (application/json). */
function responseSchema(document: OpenApiDocument, method: HttpMethod, path: string, status: string): JsonSchema | Reference {
  const operation = document.paths[path]?.[method];
  let response = operation?.responses[status];
  if (isReference(response)) response = resolvePointer(document, response.$ref) as typeof response;
  const schema = response && !isReference(response) ? response.content?.['application/json']?.schema : undefined;
  if (!schema) throw new Error(`no JSON schema for ${status} of ${method.toUpperCase()} ${path}`);
  return schema;
}

// ---------- tests ----------

let server: TestServer;
const document = openApiDocument();

beforeAll(async () => {
  server = await startServer();
});
afterAll(closeAll);

describe('OpenAPI description of /api/v1', () => {
  it('describes every route the app registers under /api/v1, and no route it does not have', () => {
    const registered = registeredRoutes(expressStack(server.app.express))
      .filter((route) => route.split(' ')[1]?.startsWith(`${BASE}/`))
      .map(asDocumented);
    expect(registered.length).toBeGreaterThan(0);
    const documented = documentedRoutes(document);
    expect({ undocumented: registered.filter((route) => !documented.includes(route)) }).toEqual({ undocumented: [] });
    expect({ notRegistered: documented.filter((route) => !registered.includes(route)) }).toEqual({ notRegistered: [] });
  });

  it("validates as OpenAPI 3.1 (swagger-parser, against the specification's own schema)", async () => {
    // validate() dereferences in place: it gets a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
  });

  it('is OpenAPI 3.1 whose references all resolve, with responses and declared path parameters on every operation', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toBeTruthy();
    expect(document.info.version).toBeTruthy();
    const unresolved = allRefs(document).filter((ref) => resolvePointer(document, ref) === undefined);
    expect(unresolved).toEqual([]);

    const operationIds: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const where = `${method.toUpperCase()} ${path}`;
        operationIds.push(operation.operationId);
        const statuses = Object.keys(operation.responses);
        expect({ where, success: statuses.some((status) => /^2\d\d$/.test(status)) }).toEqual({ where, success: true });
        for (const status of statuses.filter((candidate) => /^[45]/.test(candidate))) {
          // every error answer carries the one error shape
          const schema = responseSchema(document, method, path, status);
          expect({ where, status, error: JSON.stringify(schema).includes('#/components/schemas/Error') }).toEqual({
            where,
            status,
            error: true,
          });
        }
        const parameters = (operation.parameters ?? []).map((parameter) =>
          isReference(parameter) ? (resolvePointer(document, parameter.$ref) as ParameterObject) : parameter,
        );
        const declared = parameters
          .filter((parameter) => parameter.in === 'path')
          .map((parameter) => parameter.name)
          .sort();
        const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
        expect({ where, declared }).toEqual({ where, declared: inTemplate });
        // Every body is JSON, but a photo upload's, which is the image itself.
        if (operation.requestBody) {
          const types = Object.keys(operation.requestBody.content);
          expect({ where, types }).toEqual({ where, types: [operation.operationId === 'uploadImage' ? 'image/*' : 'application/json'] });
        }
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('is served at GET /api/v1/openapi.json, publicly and cacheably', async () => {
    const response = await server.api.withToken(null).get(`${BASE}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/public/);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(document)));
    // node:http rather than fetch: fetch applies its own cache rules to conditional requests, and the server's answer is what is tested
    const etag = response.headers.get('etag');
    expect(etag).toBeTruthy();
    const revalidated = await new Promise<number | undefined>((resolve, reject) => {
      request(`${server.url}${BASE}/openapi.json`, { headers: { 'if-none-match': etag ?? '' } }, (answer) => {
        answer.resume();
        answer.on('end', () => resolve(answer.statusCode));
      })
        .on('error', reject)
        .end();
    });
    expect(revalidated).toBe(304);
  });

  it('gives schemas that what the GET routes really answer fits', async () => {
    const api = server.api;
    const slug = `doc-${Date.now().toString(36)}`;
    expect((await api.post(`${BASE}/briefings`, { slug, title: 'Described', summary: 'A *summary*' })).status).toBe(201);
    const published = await api.post<{ entry: { id: string } }>(`${BASE}/briefings/${slug}/entries`, {
      body: 'First **update**',
      title: 'Opening',
      media: [{ url: 'https://example.org/a.jpg', alt: 'A photo', caption: 'Caption', credit: null }],
      links: [{ title: 'Background', url: 'https://example.org/background' }],
      sources: 'With reporting by agencies',
    });
    expect(published.status).toBe(201);
    const id = published.body.entry.id;
    expect((await api.patch(`${BASE}/briefings/${slug}/entries/${id}`, { body: 'First update, corrected', pinned: true })).status).toBe(
      200,
    );
    const doomed = await api.post<{ entry: { id: string } }>(`${BASE}/briefings/${slug}/entries`, { body: 'To be deleted' });
    expect((await api.delete(`${BASE}/briefings/${slug}/entries/${doomed.body.entry.id}`)).status).toBe(200);
    expect((await api.patch(`${BASE}/briefings/${slug}`, { status: 'ended' })).status).toBe(200);

    const reads: [string, string, string][] = [
      ['/briefings', '/briefings', '200'],
      ['/briefings/{slug}', `/briefings/${slug}`, '200'],
      ['/briefings/{slug}/entries', `/briefings/${slug}/entries?limit=1`, '200'],
      ['/briefings/{slug}/entries/{id}', `/briefings/${slug}/entries/${id}`, '200'],
      ['/briefings/{slug}/entries/{id}/versions', `/briefings/${slug}/entries/${id}/versions`, '200'],
      ['/briefings/{slug}/changes', `/briefings/${slug}/changes?since=0`, '200'],
      ['/briefings/{slug}', '/briefings/no-such-briefing', '404'],
      ['/briefings/{slug}/entries', `/briefings/${slug}/entries?limit=0`, '400'],
    ];
    for (const [template, path, status] of reads) {
      const response = await api.withToken(null).get(`${BASE}${path}`);
      expect({ path, status: String(response.status) }).toEqual({ path, status });
      expect({ path, problems: check(document, responseSchema(document, 'get', template, status), response.body) }).toEqual({
        path,
        problems: [],
      });
    }
    const changes = await api.get<{ changes: { type: string }[] }>(`${BASE}/briefings/${slug}/changes?since=0`);
    // every kind of change was held against the schema above
    expect(new Set(changes.body.changes.map((change) => change.type))).toEqual(
      new Set(['entry.published', 'entry.updated', 'entry.deleted', 'briefing.updated']),
    );
  });
});
