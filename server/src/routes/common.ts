// Helpers shared by the route modules.
import type { AppDeps } from '../deps.ts';
import type { Principal } from '../http/auth.ts';
import { ErrorSchema } from '../http/errors.ts';
import type { AccountRef } from '../venue/types.ts';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (not JSON)',
  401: 'Missing or invalid credentials',
  403: 'Not allowed (scope, role, or a risk check)',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'Body is not application/json',
  422: 'Invalid input; `field` names it',
  429: 'Rate limited',
};

/** OpenAPI responses for the given error statuses, all with the one error shape. */
export function errorResponses(...codes: number[]): Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }> {
  return Object.fromEntries(codes.map((c) => [c, { description: DESCRIPTIONS[c] ?? 'Error', content: { 'application/json': { schema: ErrorSchema } } }]));
}

/** A JSON body for a route definition. */
export function jsonBody<T>(schema: T, description?: string): { required: true; description?: string; content: { 'application/json': { schema: T } } } {
  return { required: true, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
}

/** A JSON response for a route definition. */
export function jsonResponse<T>(schema: T, description: string): { description: string; content: { 'application/json': { schema: T } } } {
  return { description, content: { 'application/json': { schema } } };
}

/** Security requirement for account routes (bearer token or API key pair). */
export const authenticated: Record<string, string[]>[] = [{ bearer: [] }, { apiKeyId: [], apiKeySecret: [] }];

/** The engine's view of the caller's account. */
export function accountOf(p: Principal): AccountRef {
  return { id: p.accountId, engine_account: p.engineAccount };
}

export type Deps = AppDeps;
