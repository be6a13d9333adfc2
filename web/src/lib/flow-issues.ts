/**
 * Validation issues in the user's language. The server (and the editor's own schema check) send a
 * stable `code` with `params`; the text lives in the flows message file, one key per code, so the
 * same issue reads the same in the live checks, after a refused publish and on the canvas.
 */
import { FLOW_ISSUE_CODES, type FlowIssue, type FlowIssueCode } from '../../../functions/core/flows/schema';
import type { TFunction } from './i18n';
import type { MessageKey } from './messages';

/** Every code's message; typed as a complete record, so a new code without text does not compile. */
export const ISSUE_MESSAGE_KEYS: Record<FlowIssueCode, MessageKey> = {
  no_start: 'flows.issue.no_start',
  many_starts: 'flows.issue.many_starts',
  duplicate_node_id: 'flows.issue.duplicate_node_id',
  unreachable: 'flows.issue.unreachable',
  dangling_output: 'flows.issue.dangling_output',
  unknown_target: 'flows.issue.unknown_target',
  unknown_output: 'flows.issue.unknown_output',
  missing_variable: 'flows.issue.missing_variable',
  tool_missing_variable: 'flows.issue.tool_missing_variable',
  loop_without_exit: 'flows.issue.loop_without_exit',
  loop_without_wait: 'flows.issue.loop_without_wait',
  unknown_tool: 'flows.issue.unknown_tool',
  unknown_secret: 'flows.issue.unknown_secret',
  tool_unknown_secret: 'flows.issue.tool_unknown_secret',
  unknown_flow: 'flows.issue.unknown_flow',
  duplicate_choice: 'flows.issue.duplicate_choice',
  invalid_pattern: 'flows.issue.invalid_pattern',
  invalid_config: 'flows.issue.invalid_config',
};

/** `invalid_config` outside any node (an edge, a variable, a tool): worded without a node. */
const FLOW_LEVEL_CONFIG: MessageKey = 'flows.issue.invalid_config_flow';

export const issueCodes = (): readonly FlowIssueCode[] => FLOW_ISSUE_CODES;

/** How a node is named in messages: its label with its id, or its id alone. */
export function nodeDisplayName(id: string, label?: string): string {
  return label ? `“${label}” (${id})` : `“${id}”`;
}

/** Names an output by its visible label when the editor knows the node (a choice's text, "Error"). */
export type OutputNamer = (nodeId: string, output: string) => string;

/** The message variables of an issue: node names, quoted ids and `{{variables}}` as people see them. */
export function issueVars(issue: Pick<FlowIssue, 'params'>, outputName?: OutputNamer): Record<string, string> {
  const p = issue.params;
  const vars: Record<string, string> = { ...p };
  if (p.node !== undefined) vars.node = nodeDisplayName(p.node, p.label);
  if (p.variable !== undefined) vars.variable = `{{${p.variable}}}`;
  if (p.output !== undefined && p.node !== undefined) vars.output = outputName?.(p.node, p.output) ?? p.output;
  if (p.nodes !== undefined) vars.nodes = p.nodes.split(', ').map((id) => `“${id}”`).join(', ');
  return vars;
}

export function issueMessageKey(issue: Pick<FlowIssue, 'code' | 'params'>): MessageKey {
  if (issue.code === 'invalid_config' && issue.params.node === undefined) return FLOW_LEVEL_CONFIG;
  return ISSUE_MESSAGE_KEYS[issue.code];
}

/** The issue in the user's language, naming its node. */
export function issueText(t: TFunction, issue: Pick<FlowIssue, 'code' | 'params'>, outputName?: OutputNamer): string {
  return t(issueMessageKey(issue), issueVars(issue, outputName));
}

/** Errors (what blocks publishing) before warnings, otherwise in the order found. */
export function errorsFirst<T extends Pick<FlowIssue, 'severity'>>(issues: readonly T[]): T[] {
  return [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}
