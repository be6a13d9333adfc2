import { z } from 'zod';

/**
 * What a conversation (or an editor test session) remembers between messages: where it is in
 * which flow version, what it waits for, and its variables. Plain JSON, so it lives in a jsonb
 * column and travels to the editor and back unchanged.
 */
export const FLOW_STATUSES = ['running', 'waiting', 'completed', 'handed_off', 'stopped'] as const;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export const flowState = z.object({
  flowId: z.string().nullable(),
  version: z.number().int().nullable(),
  status: z.enum(FLOW_STATUSES),
  /** The node waiting for the visitor's next message, and the re-prompts it has used. */
  waiting: z.object({ nodeId: z.string(), retries: z.number().int().min(0) }).nullable(),
  variables: z.record(z.string(), z.unknown()),
});
export type FlowState = z.infer<typeof flowState>;

export const flowReply = z.object({
  text: z.string(),
  quickReplies: z.array(z.object({ id: z.string(), label: z.string() })).optional(),
  media: z.object({ kind: z.enum(['image', 'file']), url: z.string(), name: z.string().optional() }).optional(),
});
export type FlowReply = z.infer<typeof flowReply>;

export const flowStep = z.object({
  nodeId: z.string(),
  type: z.string(),
  output: z.string().nullable(),
  input: z.unknown().optional(),
  result: z.unknown().optional(),
  variables: z.record(z.string(), z.unknown()),
  error: z.string().optional(),
});
export type FlowStep = z.infer<typeof flowStep>;

export function initialState(flowId: string | null, version: number | null): FlowState {
  return { flowId, version, status: 'running', waiting: null, variables: {} };
}
