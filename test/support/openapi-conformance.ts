/**
 * Holds every exchange of the end-to-end suites to the ledger's own OpenAPI document (GET
 * /docs/openapi.json), so the document and the behaviour cannot drift apart: a request the ledger
 * accepted must fit the documented request body, and a successful response must have a documented
 * status and fit its documented schema (Ajv, with the document's components). A mismatch throws,
 * failing the test that made the call.
 */
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: object }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

const DOCUMENT_ID = 'openapi.json';

export class OpenApiConformance {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { pattern: RegExp; operations: Record<string, Operation> }[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.routes = Object.entries(document.paths).map(([template, operations]) => ({
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      operations,
    }));
  }

  /**
   * The mismatches of one exchange (none for a route the document leaves out on purpose, such as the
   * dashboard page, or for a refusal, whose shape the error filter fixes for every route).
   */
  mismatches(method: string, route: string, requestBody: unknown, status: number, contentType: string | null, body: unknown): string[] {
    const path = decodeURI(route.split('?')[0]);
    const documented = this.routes.find((r) => r.pattern.test(path));
    const operation = documented?.operations[method.toLowerCase()];
    if (!operation || status >= 300) return [];
    const where = `${method} ${route} (${status})`;
    const found: string[] = [];
    const requestSchema = operation.requestBody?.content?.['application/json']?.schema;
    if (requestSchema && requestBody !== undefined && typeof requestBody !== 'string') found.push(...this.check(`${where} request`, requestSchema, requestBody));
    const response = operation.responses?.[String(status)];
    if (!response) return [...found, `${where}: status ${status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
    const responseSchema = contentType?.startsWith('application/json') ? response.content?.['application/json']?.schema : undefined;
    if (responseSchema) found.push(...this.check(`${where} response`, responseSchema, body));
    return found;
  }

  private check(where: string, schema: object, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validate = this.compiled.get(key);
    if (!validate) {
      // Component references resolve against the document itself.
      validate = this.ajv.compile(JSON.parse(key.replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`)));
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
}
