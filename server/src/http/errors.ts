// The one error shape every route answers with:
//   {"error": {"code": "...", "message": "...", "field"?: "...", "requestId": "..."}}
// Handlers throw ApiError; onError() turns ApiError, zod validation failures,
// malformed JSON and oversize bodies into that shape, so bad input never
// becomes a 500.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from '@hono/zod-openapi';

/** An error with its HTTP status, a stable snake_case code, and the input field it concerns. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** 400 malformed request (not JSON, unreadable). */
export const badRequest = (message: string, field?: string): ApiError => new ApiError(400, 'bad_request', message, field);
/** 401 no or invalid credentials. */
export const unauthorized = (message = 'authentication required'): ApiError => new ApiError(401, 'unauthorized', message);
/** 403 authenticated but not allowed. */
export const forbidden = (message: string, code = 'forbidden'): ApiError => new ApiError(403, code, message);
/** 404 nothing there (or not yours: accounts never learn about each other's resources). */
export const notFound = (message: string): ApiError => new ApiError(404, 'not_found', message);
/** 409 conflicts with the current state. */
export const conflict = (message: string, code = 'conflict', field?: string): ApiError => new ApiError(409, code, message, field);
/** 422 well-formed but invalid. */
export const invalid = (message: string, field?: string, code = 'invalid'): ApiError => new ApiError(422, code, message, field);
/** 503 a dependency is down. */
export const unavailable = (message: string): ApiError => new ApiError(503, 'unavailable', message);

/** The error body, as an OpenAPI schema. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid' }),
      message: z.string().openapi({ example: 'limit_price 10.005 is not a multiple of the tick size 0.01' }),
      field: z.string().optional().openapi({ example: 'limit_price' }),
      requestId: z.string(),
    }),
  })
  .openapi('Error');

/** Builds the error body for `c`'s request. */
export function errorBody(c: Context, code: string, message: string, field?: string): z.infer<typeof ErrorSchema> {
  const requestId = (c.get('requestId' as never) as string | undefined) ?? '';
  return { error: field === undefined ? { code, message, requestId } : { code, message, field, requestId } };
}

/** Renders an ApiError. */
export function sendError(c: Context, err: ApiError): Response {
  return c.json(errorBody(c, err.code, err.message, err.field), err.status);
}

/** The dotted path of a zod issue ("legs.0.qty"), or undefined at the root. */
function issuePath(issue: z.core.$ZodIssue): string | undefined {
  return issue.path.length ? issue.path.map(String).join('.') : undefined;
}

/** The value at `path` in `input`, or undefined where the path leads nowhere. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/**
 * The ApiError for a failed zod validation of `target` (json body, query, path param). `input`, the value
 * validated, tells a missing field from one of the wrong type (zod's issues do not carry the input).
 */
export function validationError(error: z.ZodError, target: string, input?: unknown): ApiError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const base = issuePath(issue);
    return invalid(`unknown field '${key}'`, base ? `${base}.${key}` : key, 'unknown_field');
  }
  const field = issuePath(issue);
  const where = field ?? (target === 'json' ? 'body' : target);
  const missing = input === undefined ? /received undefined$/.test(issue.message) : valueAt(input, issue.path) === undefined;
  if (issue.code === 'invalid_type' && missing) return invalid(`${where} is required`, field, 'missing_field');
  // A refinement that asks for an absent field (a replace without qty or limit_price).
  if (issue.code === 'custom' && missing && field !== undefined) return invalid(`${where}: ${issue.message}`, field, 'missing_field');
  const status = target === 'json' && field === undefined ? 400 : 422;
  return new ApiError(status, status === 400 ? 'bad_request' : 'invalid', `${where}: ${issue.message}`, field);
}

/** The app's onError: known errors keep their status; anything else is a logged 500 without internals. */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof z.ZodError) return validationError(err, 'json');
  if (err instanceof HTTPException) {
    if (err.status === 413) return new ApiError(413, 'payload_too_large', 'request body too large');
    // The body validator's answer to a bodiless request with another content type (one with a body meets the
    // venue's own check first): the same code and reason.
    if (err.status === 415) return new ApiError(415, 'unsupported_media_type', 'request bodies must be application/json');
    if (err.status === 400) return badRequest(/JSON/i.test(err.message) ? 'malformed JSON in request body' : err.message || 'bad request');
    return new ApiError(err.status as ContentfulStatusCode, 'http_error', err.message || 'request failed');
  }
  return undefined;
}
