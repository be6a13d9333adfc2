import type { ApiKeyScope, Role } from '../../db/schema';

/** Who is calling and in which organization (set on the context by middleware/auth.ts). */
export type Principal =
  | { kind: 'user'; userId: string; sessionId: string }
  | { kind: 'apiKey'; apiKeyId: string; organizationId: string; role: Role; scopes: ApiKeyScope[] };

export interface OrgAccess {
  organizationId: string;
  role: Role;
}
