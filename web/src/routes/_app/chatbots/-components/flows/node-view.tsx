/**
 * How a node looks on the canvas: its type, a one-line summary, one output handle per
 * `nodeOutputs(node)` (labelled), and overlays (validation problems, test position, analytics).
 */
import { Handle, Position, useStore, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { cx } from '../../../../../components/ui';
import { issueText } from '../../../../../lib/flow-issues';
import { useT, type TFunction } from '../../../../../lib/i18n';
import type { MessageKey } from '../../../../../lib/messages';
import { nodeOutputs, type FlowIssue, type FlowNode, type FlowNodeType } from '../../../../../../../functions/core/flows/schema';

/** Worded where it is drawn (issueText), so the canvas speaks the user's language. */
export type NodeIssue = Pick<FlowIssue, 'code' | 'severity' | 'params'>;

export type FlowNodeData = {
  node: FlowNode;
  issues?: NodeIssue[];
  stats?: { reached: number; droppedOff: number };
  /** Where the test chat is now. */
  active?: boolean;
};
export type CanvasNode = Node<FlowNodeData, 'flow'>;

export const NODE_COLORS: Record<FlowNodeType, string> = {
  start: 'bg-emerald-600',
  message: 'bg-sky-600',
  question: 'bg-violet-600',
  input: 'bg-fuchsia-600',
  condition: 'bg-amber-600',
  knowledge: 'bg-teal-600',
  ai: 'bg-indigo-600',
  api_call: 'bg-orange-600',
  action: 'bg-rose-600',
  webhook: 'bg-zinc-600',
};

export const NODE_ICONS: Record<FlowNodeType, string> = {
  start: '▶',
  message: '✉',
  question: '?',
  input: '✎',
  condition: '◇',
  knowledge: '☰',
  ai: '✦',
  api_call: '⇄',
  action: '⚑',
  webhook: '⚡',
};

export const typeLabel = (t: TFunction, type: FlowNodeType) => t(`flows.node.${type}` as MessageKey);

/** The visible name of an output: a choice's label, a rule's label, or the translated output name. */
export function outputLabel(t: TFunction, node: FlowNode, output: string): string {
  if (node.type === 'question' && output.startsWith('choice:')) {
    return node.data.choices.find((c) => `choice:${c.id}` === output)?.label ?? output;
  }
  if (node.type === 'condition' && output.startsWith('rule:')) {
    const index = node.data.rules.findIndex((r) => `rule:${r.id}` === output);
    return node.data.rules[index]?.label || t('flows.out.rule', { n: index + 1 });
  }
  const key = `flows.out.${output}` as MessageKey;
  return t(key) === key ? output : t(key);
}

const clip = (s: string, n = 90) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function nodeSummary(t: TFunction, node: FlowNode): string {
  switch (node.type) {
    case 'start':
      return t('flows.summary.start');
    case 'message':
      return clip(node.data.text || node.data.media?.url || t('flows.summary.empty'));
    case 'question':
      return `${clip(node.data.prompt, 70)} ${t('flows.summary.saveTo', { variable: node.data.variable })}`;
    case 'input':
      return `${clip(node.data.prompt, 60)} (${t(`flows.f.validation.${node.data.validation}` as MessageKey)}) ${t('flows.summary.saveTo', { variable: node.data.variable })}`;
    case 'condition':
      return node.data.rules
        .map((r) => (r.when.kind === 'variable' ? `${r.when.variable} ${r.when.operator.replace(/_/g, ' ')} ${r.when.value ?? ''}`.trim() : t(`flows.f.rule.${r.when.kind}` as MessageKey)))
        .join(' · ');
    case 'knowledge':
      return t('flows.summary.knowledge');
    case 'ai':
      return clip(node.data.prompt);
    case 'api_call':
      return clip(`${node.data.request.method} ${node.data.request.url}`);
    case 'action':
      return t(`flows.f.action.${node.data.action.kind}` as MessageKey);
    case 'webhook':
      return t('flows.summary.webhook', { event: node.data.event });
  }
}

/**
 * Below this zoom the detailed node's text is too small to read, and a big flow has most of its
 * nodes on screen: nodes switch to a simplified drawing (FarNodeView).
 */
export const DETAIL_ZOOM = 0.45;
export const zoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

function worstSeverity(issues: NodeIssue[] | undefined): 'error' | 'warning' | undefined {
  return issues?.some((i) => i.severity === 'error') ? 'error' : issues?.length ? 'warning' : undefined;
}

function FlowNodeViewImpl(props: NodeProps<CanvasNode>) {
  // A boolean, so a node re-renders when the zoom crosses the threshold, not on every pan frame.
  const far = useStore(zoomedOut);
  return far ? <FarNodeView {...props} /> : <DetailedNodeView {...props} />;
}

function DetailedNodeView({ data, selected }: NodeProps<CanvasNode>) {
  const t = useT();
  const { node, issues, stats, active } = data;
  const outputs = nodeOutputs(node);
  const worst = worstSeverity(issues);
  return (
    <div
      data-node-id={node.id}
      data-node-type={node.type}
      aria-label={`${typeLabel(t, node.type)}: ${node.label ?? node.id}`}
      className={cx(
        'w-60 rounded-lg border bg-white text-xs text-zinc-800 dark:bg-zinc-900 dark:text-zinc-100',
        selected ? 'border-indigo-500 ring-2 ring-indigo-500/40' : 'border-zinc-200 dark:border-zinc-700',
        worst === 'error' && 'border-red-500! ring-2 ring-red-500/40',
        worst === 'warning' && !selected && 'border-amber-500!',
        active && 'ring-4! ring-amber-400!',
      )}
    >
      {node.type !== 'start' && <Handle type="target" position={Position.Left} id="in" className="size-2.5! bg-zinc-500!" />}
      <div className="flex items-center gap-2 rounded-t-lg border-b border-zinc-100 px-2.5 py-1.5 dark:border-zinc-800">
        <span aria-hidden="true" className={cx('flex size-5 items-center justify-center rounded text-[11px] text-white', NODE_COLORS[node.type])}>
          {NODE_ICONS[node.type]}
        </span>
        <span className="font-semibold">{typeLabel(t, node.type)}</span>
        <span className="ml-auto truncate font-mono text-[10px] text-zinc-400">{node.label || node.id}</span>
      </div>
      <p className="line-clamp-2 px-2.5 py-1.5 text-zinc-600 dark:text-zinc-300">{nodeSummary(t, node)}</p>
      {outputs.length > 0 && (
        <ul className="border-t border-zinc-100 py-1 dark:border-zinc-800">
          {outputs.map((out) => (
            <li key={out} className="relative py-0.5 pr-4 text-right text-[11px] text-zinc-500 dark:text-zinc-400">
              {outputLabel(t, node, out)}
              <Handle type="source" position={Position.Right} id={out} className="size-2.5! bg-indigo-500!" />
            </li>
          ))}
        </ul>
      )}
      {issues && issues.length > 0 && (
        <p role="note" className={cx('border-t px-2.5 py-1 text-[11px]', worst === 'error' ? 'border-red-200 text-red-700 dark:text-red-400' : 'border-amber-200 text-amber-700')}>
          {clip(issueText(t, issues[0]!, (_id, output) => outputLabel(t, node, output)), 120)}
          {issues.length > 1 && ` (+${issues.length - 1})`}
        </p>
      )}
      {stats && (
        <p data-testid="node-stats" className="flex justify-between rounded-b-lg bg-indigo-50 px-2.5 py-1 text-[11px] text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
          <span>{t('flows.analyticsReached', { count: stats.reached })}</span>
          <span>{t('flows.analyticsDropped', { count: stats.droppedOff })}</span>
        </p>
      )}
    </div>
  );
}

/** What fits of a far node's title (32 px text in the 240 px box): longer ones are cut, not clipped (a clip costs). */
const FAR_TITLE_CHARS = 10;

/**
 * A node as drawn zoomed out (a 300-node flow fitted on screen): a block in its type's colour
 * (the palette's) with a big title, a thick border for its worst problem, the same handles.
 * Why so plain: panning costs the browser per element, per clip and per transform on the canvas
 * (hit tests, paint chunks to layerize), so this is one box, one line of text, and handles
 * kept only so edges stay attached (flow-canvas.css).
 */
function FarNodeView({ data, selected }: NodeProps<CanvasNode>) {
  const t = useT();
  const { node, issues, active } = data;
  const outputs = nodeOutputs(node);
  const worst = worstSeverity(issues);
  const title = node.label || typeLabel(t, node.type);
  return (
    <div
      data-node-id={node.id}
      data-node-type={node.type}
      data-detail="far"
      aria-label={`${typeLabel(t, node.type)}: ${node.label ?? node.id}`}
      title={`${typeLabel(t, node.type)}: ${nodeSummary(t, node)}`}
      style={{ height: farNodeHeight(outputs.length) }}
      className={cx(
        'flow-node-far flex w-60 items-center gap-3 rounded-2xl border-[6px] px-4 text-[32px] leading-none font-semibold whitespace-nowrap text-white',
        NODE_COLORS[node.type],
        // Inside the box: each far node's paint is contained (flow-canvas.css), a ring outside would be cut.
        worst === 'error' ? 'border-red-500' : worst === 'warning' ? 'border-amber-400' : selected ? 'border-white' : 'border-transparent',
        selected && 'ring-8 ring-indigo-950/50 ring-inset',
        active && 'ring-[12px] ring-amber-300 ring-inset',
      )}
    >
      {node.type !== 'start' && <Handle type="target" position={Position.Left} id="in" />}
      <span aria-hidden="true">{NODE_ICONS[node.type]}</span>
      <span>{clip(title, FAR_TITLE_CHARS)}</span>
      {outputs.map((out, i) => (
        <Handle key={out} type="source" position={Position.Right} id={out} style={{ top: `${((i + 1) * 100) / (outputs.length + 1)}%` }} />
      ))}
    </div>
  );
}

/** About the detailed node's height (header, two lines of summary, a row per output), so zooming out keeps the layout. */
export const farNodeHeight = (outputs: number) => 80 + 20 * outputs;

export const FlowNodeView = memo(FlowNodeViewImpl);
export const nodeTypes = { flow: FlowNodeView };
