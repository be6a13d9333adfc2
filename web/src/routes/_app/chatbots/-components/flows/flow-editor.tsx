/**
 * The visual editor of one flow: palette, canvas (@xyflow/react), side panel, toolbar. The
 * `FlowDocument` in an undo history is the single source of truth; the canvas is derived from it.
 * Drafts save themselves (debounced PUT …/draft with the revision they started from) and are
 * checked by the server after each save.
 */
import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  type Connection,
  type Edge,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import './flow-canvas.css';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useToast } from '../../../../../components/toast';
import { Alert, Badge, Button, cx, Dialog, formatDate, SelectField, Spinner, TextField } from '../../../../../components/ui';
import { ApiError } from '../../../../../lib/api';
import {
  addNode,
  canRedo,
  canUndo,
  checkpoint,
  connect,
  createNode,
  duplicateNodes,
  exportFileName,
  exportFlowJson,
  freshId,
  freeSpot,
  historyOf,
  moveNodes,
  PALETTE_TYPES,
  parseFlowJson,
  pushHistory,
  redo,
  removeEdges,
  removeNodes,
  replacePresent,
  sameButPositions,
  schemaProblems,
  undo,
  updateNode,
  type History,
  type PaletteType,
} from '../../../../../lib/flow-editor';
import { errorsFirst, issueText } from '../../../../../lib/flow-issues';
import { useErrorMessage, useLocale, useT } from '../../../../../lib/i18n';
import { flowAnalyticsQuery, flowApi, flowKeys, flowVersionsQuery, type Flow, type FlowVersion } from '../../../../../lib/queries-flows';
import { useTheme } from '../../../../../lib/theme';
import { useOrg } from '../../../../../lib/use-org';
import { nodeOutputs, type FlowDocument, type FlowIssue, type FlowNode, type FlowTool } from '../../../../../../../functions/core/flows/schema';
import { NodeForm } from './node-forms';
import { NODE_COLORS, NODE_ICONS, nodeTypes, outputLabel, typeLabel, zoomedOut, type CanvasNode, type NodeIssue } from './node-view';
import { TestPanel } from './test-panel';
import { saveBlob } from '../../../../../lib/download';

type SaveState = 'saved' | 'unsaved' | 'saving' | 'error' | 'invalid' | 'conflict';
const AUTOSAVE_DELAY_MS = 800;
const DRAG_TYPE = 'application/x-versaai-flow-node';

export function FlowEditor(props: { botId: string; flow: Flow; flows: Flow[]; canWrite: boolean; onBack: () => void }) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

/** Module-level, so the minimap's 300 nodes are not redrawn whenever the editor re-renders. */
const minimapColor = (n: CanvasNode) => (n.data.issues?.some((i) => i.severity === 'error') ? '#ef4444' : '#6366f1');

/** Whether the canvas would draw the two alike (every input is compared by identity). */
function sameCanvasNode(a: CanvasNode, b: CanvasNode): boolean {
  return (
    a.position === b.position &&
    a.selected === b.selected &&
    a.measured === b.measured &&
    a.data.node === b.data.node &&
    a.data.issues === b.data.issues &&
    a.data.stats === b.data.stats &&
    a.data.active === b.data.active
  );
}

function isTyping(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function Editor({ botId, flow, flows, canWrite, onBack }: { botId: string; flow: Flow; flows: Flow[]; canWrite: boolean; onBack: () => void }) {
  const t = useT();
  const locale = useLocale();
  const org = useOrg();
  const toast = useToast();
  const errorMessage = useErrorMessage();
  const queryClient = useQueryClient();
  const rf = useReactFlow();
  const [theme] = useTheme();
  // A boolean, not the zoom: the editor re-renders when it crosses the threshold, not per frame.
  const far = useStore(zoomedOut);

  const [history, setHistory] = useState<History<FlowDocument>>(() => historyOf(flow.draft));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<ReadonlySet<string>>(new Set());
  const [measured, setMeasured] = useState<ReadonlyMap<string, { width: number; height: number }>>(new Map());
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [saveError, setSaveError] = useState<string>();
  const [issues, setIssues] = useState<FlowIssue[]>([]);
  const [publishRefused, setPublishRefused] = useState(false);
  const [viewing, setViewing] = useState<FlowVersion | null>(null);
  const [side, setSide] = useState<'node' | 'test'>('node');
  const [activeNode, setActiveNode] = useState<string | null>(null);
  const [showAnalytics, setShowAnalytics] = useState(false);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const draft = history.present;
  const doc = viewing?.document ?? draft;
  const readOnly = !canWrite || viewing !== null;

  // ---- saving -------------------------------------------------------------------------------------
  const revision = useRef(flow.draftRevision);
  const savedDoc = useRef<FlowDocument>(flow.draft);
  const inFlight = useRef<Promise<void> | null>(null);
  const latest = useRef(draft);
  latest.current = draft;

  const validate = useCallback(
    async (document: FlowDocument) => {
      try {
        const result = await flowApi.validate(botId, flow.id, document);
        if (latest.current !== document) return;
        setIssues(result.issues);
        // The refusal banner goes once nothing blocks publishing any more.
        if (!result.issues.some((i) => i.severity === 'error')) setPublishRefused(false);
      } catch {
        // Checks are advisory while editing; publishing checks again on the server.
      }
    },
    [botId, flow.id],
  );

  const save = useCallback(
    async (force = false): Promise<void> => {
      if (inFlight.current) await inFlight.current;
      const document = latest.current;
      // Undo/redo can come back to exactly what was saved.
      if (document === savedDoc.current) return setSaveState('saved');
      if (schemaProblems(document).length > 0) {
        setSaveState('invalid');
        return;
      }
      setSaveState('saving');
      const run = (async () => {
        try {
          const saved = await flowApi.saveDraft(botId, flow.id, document, force ? undefined : revision.current);
          revision.current = saved.draftRevision;
          savedDoc.current = document;
          setSaveState(latest.current === document ? 'saved' : 'unsaved');
          setSaveError(undefined);
          queryClient.setQueryData(flowKeys.detail(org.id, botId, flow.id), saved);
          void validate(document);
        } catch (e) {
          if (e instanceof ApiError && e.status === 409) setSaveState('conflict');
          else {
            setSaveState('error');
            setSaveError(errorMessage(e));
          }
        }
      })();
      inFlight.current = run;
      await run;
      inFlight.current = null;
    },
    [botId, flow.id, org.id, queryClient, validate, errorMessage],
  );

  useEffect(() => {
    if (!canWrite) return;
    if (draft === savedDoc.current) return setSaveState((s) => (s === 'unsaved' ? 'saved' : s));
    setSaveState('unsaved');
    const timer = setTimeout(() => void save(), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, save, canWrite]);

  // First look at a flow: show what the server thinks of it.
  useEffect(() => {
    void validate(flow.draft);
  }, [flow.draft, validate]);

  // Saving on the way out: leaving the tab must not lose the last second of edits.
  useEffect(() => () => void save(), [save]);

  async function reloadFromServer() {
    const fresh = await flowApi.get(botId, flow.id);
    revision.current = fresh.draftRevision;
    savedDoc.current = fresh.draft;
    setHistory((h) => pushHistory(h, fresh.draft));
    setSaveState('saved');
  }

  // ---- edits --------------------------------------------------------------------------------------
  const edit = useCallback((change: (d: FlowDocument) => FlowDocument, key?: string) => {
    setHistory((h) => pushHistory(h, change(h.present), key));
  }, []);

  const nodeDefaults = useMemo(
    () => ({
      message: t('flows.default.message'),
      question: t('flows.default.question'),
      choiceA: t('flows.default.choiceA'),
      choiceB: t('flows.default.choiceB'),
      input: t('flows.default.input'),
      ai: t('flows.default.ai'),
    }),
    [t],
  );

  const addAt = useCallback(
    (type: PaletteType, position: { x: number; y: number }) => {
      const doc = latest.current;
      const id = freshId(type, doc.nodes.map((n) => n.id));
      setHistory((h) => pushHistory(h, addNode(h.present, createNode(type, id, position, nodeDefaults))));
      setSelected(new Set([id]));
      setSide('node');
    },
    [nodeDefaults],
  );

  const canvasRef = useRef<HTMLDivElement>(null);
  /** A click on the palette: next to the other nodes, in a free spot, and brought into view. */
  function addFromPalette(type: PaletteType) {
    const box = canvasRef.current?.getBoundingClientRect();
    const center = box ? rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    const spot = freeSpot(draft, { x: center.x - 120, y: center.y - 60 });
    addAt(type, spot);
    void rf.setCenter(spot.x + 120, spot.y + 60, { zoom: rf.getZoom(), duration: 200 });
  }

  function onDrop(e: DragEvent) {
    const type = e.dataTransfer.getData(DRAG_TYPE) as PaletteType;
    if (!PALETTE_TYPES.includes(type) || readOnly) return;
    e.preventDefault();
    const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    addAt(type, { x: Math.round(p.x - 120), y: Math.round(p.y - 20) });
  }

  const deleteSelection = useCallback(() => {
    if (readOnly) return;
    edit((d) => removeEdges(removeNodes(d, selected), selectedEdges));
    setSelected(new Set());
    setSelectedEdges(new Set());
  }, [edit, readOnly, selected, selectedEdges]);

  const duplicateSelection = useCallback(() => {
    if (readOnly || selected.size === 0) return;
    let copies: string[] = [];
    setHistory((h) => {
      const result = duplicateNodes(h.present, selected);
      copies = result.ids;
      return pushHistory(h, result.doc);
    });
    setSelected(new Set(copies));
  }, [readOnly, selected]);

  const doUndo = useCallback(() => setHistory(undo), []);
  const doRedo = useCallback(() => setHistory(redo), []);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (isTyping(e.target) || readOnly) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      if (mod && key === 'z') {
        e.preventDefault();
        if (e.shiftKey) doRedo();
        else doUndo();
      } else if (mod && key === 'y') {
        e.preventDefault();
        doRedo();
      } else if (mod && key === 'd') {
        e.preventDefault();
        duplicateSelection();
      } else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) {
        if (selected.size || selectedEdges.size) {
          e.preventDefault();
          deleteSelection();
        }
      } else if (!mod && key === 'f') {
        void rf.fitView({ duration: 200 });
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [readOnly, doUndo, doRedo, duplicateSelection, deleteSelection, selected, selectedEdges, rf]);

  // ---- canvas ------------------------------------------------------------------------------------
  const analytics = useQuery({ ...flowAnalyticsQuery(org.id, botId, flow.id), enabled: showAnalytics });
  // The schema check ignores layout: a drag (positions only) keeps the last answer, not one per frame.
  const lastChecked = useRef<{ doc: FlowDocument; problems: FlowIssue[] } | null>(null);
  const localProblems = useMemo(() => {
    if (viewing) return [];
    if (lastChecked.current && sameButPositions(lastChecked.current.doc, draft)) return lastChecked.current.problems;
    const problems = schemaProblems(draft);
    lastChecked.current = { doc: draft, problems };
    return problems;
  }, [draft, viewing]);
  const issuesByNode = useMemo(() => {
    const map = new Map<string, NodeIssue[]>();
    if (viewing) return map;
    // Errors first: a node shows its worst problem.
    for (const issue of errorsFirst([...issues, ...localProblems])) if (issue.nodeId) map.set(issue.nodeId, [...(map.get(issue.nodeId) ?? []), issue]);
    return map;
  }, [issues, localProblems, viewing]);
  const statsByNode = useMemo(
    () => (showAnalytics && analytics.data ? new Map(analytics.data.nodes.map((n) => [n.nodeId, n])) : undefined),
    [showAnalytics, analytics.data],
  );

  const ariaLabels = useMemo(
    () => ({
      'controls.zoomIn.ariaLabel': t('flows.zoomIn'),
      'controls.zoomOut.ariaLabel': t('flows.zoomOut'),
      'controls.fitView.ariaLabel': t('flows.fitView'),
      'minimap.ariaLabel': t('flows.minimap'),
      'controls.ariaLabel': t('flows.controls'),
    }),
    [t],
  );

  // A canvas node keeps its identity while nothing it shows changed: @xyflow/react then skips it,
  // so a drag, a selection or a measurement re-renders the nodes concerned, not all 300.
  const previousNodes = useRef<ReadonlyMap<string, CanvasNode>>(new Map());
  const nodes = useMemo<CanvasNode[]>(() => {
    const kept = new Map<string, CanvasNode>();
    const list = doc.nodes.map((node) => {
      const fresh: CanvasNode = {
        id: node.id,
        type: 'flow',
        position: node.position,
        data: { node, issues: issuesByNode.get(node.id), stats: statsByNode?.get(node.id), active: node.id === activeNode },
        selected: selected.has(node.id),
        measured: measured.get(node.id),
        deletable: false,
      };
      const old = previousNodes.current.get(node.id);
      const canvasNode = old && sameCanvasNode(old, fresh) ? old : fresh;
      kept.set(node.id, canvasNode);
      return canvasNode;
    });
    previousNodes.current = kept;
    return list;
  }, [doc.nodes, issuesByNode, statsByNode, activeNode, selected, measured]);
  const edges = useMemo<Edge[]>(
    () =>
      doc.edges.map((e) => ({
        id: e.id,
        source: e.source,
        sourceHandle: e.sourceHandle,
        target: e.target,
        targetHandle: 'in',
        selected: selectedEdges.has(e.id),
        animated: e.source === activeNode,
      })),
    [doc.edges, selectedEdges, activeNode],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const moved = new Map<string, { x: number; y: number }>();
      const sizes: [string, { width: number; height: number }][] = [];
      let selection: Set<string> | null = null;
      for (const c of changes) {
        if (c.type === 'position' && c.position) moved.set(c.id, { x: Math.round(c.position.x), y: Math.round(c.position.y) });
        else if (c.type === 'dimensions' && c.dimensions) sizes.push([c.id, c.dimensions]);
        else if (c.type === 'select') {
          selection ??= new Set(selected);
          if (c.selected) selection.add(c.id);
          else selection.delete(c.id);
        }
      }
      if (moved.size && !readOnly) setHistory((h) => replacePresent(h, moveNodes(h.present, moved)));
      if (sizes.length) setMeasured((m) => new Map([...m, ...sizes]));
      if (selection) {
        setSelected(selection);
        if (selection.size) setSide('node');
      }
    },
    [readOnly, selected],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setSelectedEdges((current) => {
      let next: Set<string> | null = null;
      for (const c of changes) {
        if (c.type !== 'select') continue;
        next ??= new Set(current);
        if (c.selected) next.add(c.id);
        else next.delete(c.id);
      }
      return next ?? current;
    });
  }, []);

  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.sourceHandle) return;
      edit((d) => connect(d, c.source, c.sourceHandle!, c.target));
    },
    [edit, readOnly],
  );

  // ---- toolbar actions ---------------------------------------------------------------------------
  function exportJson() {
    saveBlob(new Blob([exportFlowJson(doc)], { type: 'application/json' }), exportFileName(flow.name));
  }

  async function importJson(file: File) {
    const result = parseFlowJson(await file.text());
    if (!result.ok) {
      toast.error(t('flows.importFailed', { errors: result.errors.join('; ') }));
      return;
    }
    setHistory((h) => pushHistory(h, result.document));
    setSelected(new Set());
    toast.success(t('flows.imported'));
    setTimeout(() => void rf.fitView(), 50);
  }

  async function publish() {
    setPublishing(true);
    setPublishRefused(false);
    try {
      await save();
      const version = await flowApi.publish(botId, flow.id);
      toast.success(t('flows.publishedToast', { version: version.version }));
      void queryClient.invalidateQueries({ queryKey: flowKeys.all(org.id, botId) });
      setIssues((current) => current.filter((i) => i.severity !== 'error'));
    } catch (e) {
      const details = e instanceof ApiError ? (e.details as { issues?: FlowIssue[] } | undefined) : undefined;
      if (e instanceof ApiError && e.code === 'flow_invalid' && details?.issues) {
        setIssues(details.issues);
        setPublishRefused(true);
      } else toast.error(errorMessage(e));
    } finally {
      setPublishing(false);
    }
  }

  async function viewVersion(version: number) {
    try {
      setViewing(await flowApi.version(botId, flow.id, version));
      setVersionsOpen(false);
      setSelected(new Set());
      setTimeout(() => void rf.fitView(), 50);
    } catch (e) {
      toast.error(errorMessage(e));
    }
  }

  async function restoreVersion(version: number) {
    try {
      await save();
      const restored = await flowApi.restore(botId, flow.id, version);
      revision.current = restored.draftRevision;
      savedDoc.current = restored.draft;
      setHistory((h) => pushHistory(h, restored.draft));
      setViewing(null);
      setVersionsOpen(false);
      toast.success(t('flows.restored', { version }));
      void validate(restored.draft);
    } catch (e) {
      toast.error(errorMessage(e));
    }
  }

  const selectedNode = selected.size === 1 ? doc.nodes.find((n) => selected.has(n.id)) : undefined;
  const listedIssues = viewing ? [] : errorsFirst([...issues, ...localProblems]);
  const outputName = (nodeId: string, output: string) => {
    const node = doc.nodes.find((n) => n.id === nodeId);
    return node ? outputLabel(t, node, output) : output;
  };

  function focusNode(id: string | undefined) {
    if (!id) return;
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) return;
    setSelected(new Set([id]));
    setSide('node');
    void rf.setCenter(node.position.x + 120, node.position.y + 40, { zoom: 1, duration: 300 });
  }

  return (
    <div className="space-y-3">
      {/* toolbar */}
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" variant="ghost" onClick={onBack}>
          ← {t('flows.back')}
        </Button>
        <h2 className="text-lg font-semibold">{flow.name}</h2>
        {flow.isEntry && <Badge tone="indigo">{t('flows.entry')}</Badge>}
        <SaveIndicator state={saveState} error={saveError} />
        <div className="ml-auto flex flex-wrap items-center gap-1.5">
          <Button size="sm" variant="ghost" disabled={readOnly || !canUndo(history)} onClick={doUndo} title="Ctrl+Z">
            ↶ {t('flows.undo')}
          </Button>
          <Button size="sm" variant="ghost" disabled={readOnly || !canRedo(history)} onClick={doRedo} title="Ctrl+Shift+Z">
            ↷ {t('flows.redo')}
          </Button>
          <Button size="sm" variant="ghost" disabled={readOnly || selected.size === 0} onClick={duplicateSelection} title="Ctrl+D">
            {t('flows.duplicate')}
          </Button>
          <Button size="sm" variant="ghost" disabled={readOnly || (selected.size === 0 && selectedEdges.size === 0)} onClick={deleteSelection} title="Delete">
            {t('flows.deleteSelection')}
          </Button>
          <Button size="sm" variant="secondary" onClick={exportJson}>
            {t('flows.export')}
          </Button>
          {!readOnly && (
            <>
              <Button size="sm" variant="secondary" onClick={() => fileInput.current?.click()}>
                {t('flows.import')}
              </Button>
              <input
                ref={fileInput}
                type="file"
                accept="application/json,.json"
                className="hidden"
                data-testid="flow-import"
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) void importJson(file);
                  e.target.value = '';
                }}
              />
            </>
          )}
          <Button size="sm" variant={showAnalytics ? 'primary' : 'secondary'} aria-pressed={showAnalytics} onClick={() => setShowAnalytics((v) => !v)}>
            {t('flows.analytics')}
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setVersionsOpen(true)}>
            {t('flows.versions')}
          </Button>
          <Button size="sm" variant={side === 'test' ? 'primary' : 'secondary'} aria-pressed={side === 'test'} onClick={() => setSide((s) => (s === 'test' ? 'node' : 'test'))}>
            {t('flows.test')}
          </Button>
          {canWrite && (
            <Button size="sm" loading={publishing} disabled={viewing !== null} onClick={() => void publish()}>
              {t('flows.publish')}
            </Button>
          )}
        </div>
      </div>

      {saveState === 'conflict' && (
        <Alert tone="warning">
          <div className="flex flex-wrap items-center gap-2">
            <span className="flex-1">{t('flows.save.conflict')}</span>
            <Button size="sm" variant="secondary" onClick={() => void reloadFromServer()}>
              {t('flows.save.reload')}
            </Button>
            <Button size="sm" variant="danger" onClick={() => void save(true)}>
              {t('flows.save.overwrite')}
            </Button>
          </div>
        </Alert>
      )}
      {viewing && (
        <Alert>
          <div className="flex flex-wrap items-center gap-2">
            <span className="flex-1">{t('flows.viewing', { version: viewing.version })}</span>
            {canWrite && (
              <Button size="sm" variant="secondary" onClick={() => void restoreVersion(viewing.version)}>
                {t('flows.restore')}
              </Button>
            )}
            <Button size="sm" variant="secondary" onClick={() => setViewing(null)}>
              {t('flows.backToDraft')}
            </Button>
          </div>
        </Alert>
      )}
      {publishRefused && <Alert tone="error">{t('flows.publishRefused')}</Alert>}
      {showAnalytics && analytics.data && (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="flow-outcomes">
          {t('flows.analyticsOutcomes', { ...analytics.data.outcomes })}
        </p>
      )}

      <div className="flex h-[calc(100dvh-16rem)] min-h-[32rem] overflow-hidden rounded-xl border border-zinc-200 dark:border-zinc-800">
        {!readOnly && <Palette onAdd={addFromPalette} />}
        <div ref={canvasRef} className="relative min-w-0 flex-1" onDragOver={(e) => e.preventDefault()} onDrop={onDrop} aria-label={t('flows.canvas')} role="region">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onNodeDragStart={() => !readOnly && setHistory(checkpoint)}
            onNodeClick={() => setSide('node')}
            onPaneClick={() => {
              setSelected(new Set());
              setSelectedEdges(new Set());
            }}
            nodesDraggable={!readOnly}
            nodesConnectable={!readOnly}
            deleteKeyCode={null}
            multiSelectionKeyCode="Shift"
            colorMode={theme}
            fitView
            fitViewOptions={{ maxZoom: 1 }}
            minZoom={0.1}
            maxZoom={2}
            proOptions={{ hideAttribution: true }}
            // Zoomed in, a handful of nodes is on screen: render only those. Zoomed out, most are,
            // and rendering only the visible ones would mount and measure nodes on every frame of
            // a pan as they cross the edge: keep them all mounted (measured: 10 -> 33 fps at 300).
            onlyRenderVisibleElements={!far}
            ariaLabelConfig={ariaLabels}
            className={cx(far && 'flow-far')}
          >
            {/* Zoomed out its dots are under a pixel: not drawn, and not repainted on every pan frame. */}
            {!far && <Background gap={20} />}
            <Controls showInteractive={false} />
            <MiniMap pannable zoomable nodeColor={minimapColor} />
          </ReactFlow>
        </div>
        <aside className="w-80 shrink-0 overflow-y-auto border-l border-zinc-200 dark:border-zinc-800">
          {/* Kept mounted while hidden: the test conversation survives editing a node. */}
          <div className={cx('h-full', side !== 'test' && 'hidden')}>
            <TestPanel botId={botId} flowId={flow.id} doc={draft} onStep={setActiveNode} />
          </div>
          {side === 'test' ? null : selectedNode ? (
            <NodePanel
              key={selectedNode.id}
              node={selectedNode}
              doc={doc}
              flows={flows.filter((f) => f.id !== flow.id)}
              readOnly={readOnly}
              onChange={(node, key) => edit((d) => updateNode(d, node), key)}
              onToolsChange={(tools: FlowTool[], key) => edit((d) => ({ ...d, tools }), key)}
              onConnect={(output, target) => edit((d) => connect(d, selectedNode.id, output, target))}
            />
          ) : (
            <p className="p-4 text-sm text-zinc-500">{t('flows.panel.none')}</p>
          )}
        </aside>
      </div>
      <p className="text-xs text-zinc-500">{t('flows.shortcuts')}</p>

      <section aria-label={t('flows.issues')} className="rounded-xl border border-zinc-200 p-3 dark:border-zinc-800">
        <div className="mb-2 flex items-center justify-between">
          <h3 className="text-sm font-semibold">
            {t('flows.issues')} {listedIssues.length > 0 && <Badge tone="red">{t('flows.issuesCount', { count: listedIssues.length })}</Badge>}
          </h3>
          <Button size="sm" variant="ghost" onClick={() => void validate(draft)}>
            {t('flows.validate')}
          </Button>
        </div>
        {listedIssues.length === 0 ? (
          <p className="text-sm text-zinc-500">{t('flows.issuesNone')}</p>
        ) : (
          <ul className="space-y-1" data-testid="flow-issues">
            {listedIssues.map((issue, i) => (
              <li key={i}>
                <button type="button" className="flex w-full items-start gap-2 text-left text-sm hover:underline" onClick={() => focusNode(issue.nodeId)}>
                  <Badge tone={issue.severity === 'error' ? 'red' : 'amber'}>{t(`flows.severity.${issue.severity}`)}</Badge>
                  {issue.nodeId && <span className="font-mono text-xs text-zinc-500">{issue.nodeId}</span>}
                  <span data-issue-code={issue.code}>{issueText(t, issue, outputName)}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <VersionsDialog
        open={versionsOpen}
        botId={botId}
        flowId={flow.id}
        canWrite={canWrite}
        locale={locale}
        onClose={() => setVersionsOpen(false)}
        onView={(v) => void viewVersion(v)}
        onRestore={(v) => void restoreVersion(v)}
      />
    </div>
  );
}

function SaveIndicator({ state, error }: { state: SaveState; error?: string }) {
  const t = useT();
  const text = {
    saved: t('flows.save.saved'),
    unsaved: t('flows.save.unsaved'),
    saving: t('flows.save.saving'),
    error: t('flows.save.error', { message: error ?? '' }),
    invalid: t('flows.save.invalid'),
    conflict: t('flows.save.conflict'),
  }[state];
  return (
    <span
      role="status"
      data-testid="save-state"
      data-state={state}
      className={cx(
        'inline-flex max-w-xs items-center gap-1 truncate text-xs',
        state === 'saved' && 'text-emerald-700 dark:text-emerald-400',
        (state === 'error' || state === 'invalid' || state === 'conflict') && 'text-red-600',
        (state === 'saving' || state === 'unsaved') && 'text-zinc-500',
      )}
    >
      {state === 'saving' && <Spinner className="size-3" />}
      {state === 'conflict' ? t('flows.save.error', { message: '409' }) : text}
    </span>
  );
}

function Palette({ onAdd }: { onAdd: (type: PaletteType) => void }) {
  const t = useT();
  return (
    <nav aria-label={t('flows.palette')} className="w-40 shrink-0 overflow-y-auto border-r border-zinc-200 p-2 dark:border-zinc-800">
      <h3 className="px-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{t('flows.palette')}</h3>
      <p className="mb-2 px-1 text-[11px] text-zinc-500">{t('flows.paletteHint')}</p>
      <ul className="space-y-1">
        {PALETTE_TYPES.map((type) => (
          <li key={type}>
            <button
              type="button"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData(DRAG_TYPE, type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => onAdd(type)}
              aria-label={t('flows.add', { type: typeLabel(t, type) })}
              data-palette={type}
              className="flex w-full cursor-grab items-center gap-2 rounded-md border border-zinc-200 bg-white px-2 py-1.5 text-left text-sm hover:border-indigo-400 dark:border-zinc-700 dark:bg-zinc-900"
            >
              <span aria-hidden="true" className={cx('flex size-5 items-center justify-center rounded text-[11px] text-white', NODE_COLORS[type])}>
                {NODE_ICONS[type]}
              </span>
              {typeLabel(t, type)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function NodePanel({
  node,
  doc,
  flows,
  readOnly,
  onChange,
  onToolsChange,
  onConnect,
}: {
  node: FlowNode;
  doc: FlowDocument;
  flows: Flow[];
  readOnly: boolean;
  onChange: (node: FlowNode, key: string) => void;
  onToolsChange: (tools: FlowTool[], key: string) => void;
  onConnect: (output: string, target: string | null) => void;
}) {
  const t = useT();
  const outputs = nodeOutputs(node);
  const targets = doc.nodes.filter((n) => n.id !== node.id && n.type !== 'start');
  return (
    <div className="space-y-4 p-4">
      <div>
        <h3 className="text-sm font-semibold">{t('flows.panel.title', { type: typeLabel(t, node.type) })}</h3>
        <p className="font-mono text-xs text-zinc-500">{t('flows.panel.id', { id: node.id })}</p>
      </div>
      <fieldset disabled={readOnly} className="space-y-4">
        {node.type !== 'start' && (
          <TextField
            label={t('flows.panel.label')}
            value={node.label ?? ''}
            onChange={(e) => onChange({ ...node, label: e.target.value || undefined } as FlowNode, `${node.id}:label`)}
          />
        )}
        <NodeForm node={node} doc={doc} flows={flows} onChange={onChange} onToolsChange={onToolsChange} />
        {outputs.length > 0 && (
          <div className="space-y-2">
            <h4 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">{t('flows.panel.connections')}</h4>
            {outputs.map((output) => (
              <SelectField
                key={output}
                label={`${outputLabel(t, node, output)} →`}
                value={doc.edges.find((e) => e.source === node.id && e.sourceHandle === output)?.target ?? ''}
                onChange={(e) => onConnect(output, e.target.value || null)}
              >
                <option value="">{t('flows.panel.notConnected')}</option>
                {targets.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.label ? `${n.label} (${n.id})` : n.id} · {typeLabel(t, n.type)}
                  </option>
                ))}
              </SelectField>
            ))}
          </div>
        )}
      </fieldset>
    </div>
  );
}

function VersionsDialog({
  open,
  botId,
  flowId,
  canWrite,
  locale,
  onClose,
  onView,
  onRestore,
}: {
  open: boolean;
  botId: string;
  flowId: string;
  canWrite: boolean;
  locale: 'es' | 'en';
  onClose: () => void;
  onView: (version: number) => void;
  onRestore: (version: number) => void;
}) {
  const t = useT();
  const org = useOrg();
  const versions = useQuery({ ...flowVersionsQuery(org.id, botId, flowId), enabled: open });
  return (
    <Dialog open={open} onClose={onClose} title={t('flows.versionsTitle')}>
      {versions.isPending ? (
        <Spinner />
      ) : !versions.data?.length ? (
        <p className="text-sm text-zinc-500">{t('flows.versionsEmpty')}</p>
      ) : (
        <ul className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {versions.data.map((v) => (
            <li key={v.version} className="flex items-center gap-2 py-2">
              <div className="flex-1">
                <p className="text-sm font-medium">{t('flows.version', { version: v.version })}</p>
                <p className="text-xs text-zinc-500">{t('flows.versionBy', { date: formatDate(v.publishedAt, locale) })}</p>
              </div>
              <Button size="sm" variant="secondary" onClick={() => onView(v.version)}>
                {t('flows.view')}
              </Button>
              {canWrite && (
                <Button size="sm" variant="secondary" onClick={() => onRestore(v.version)}>
                  {t('flows.restore')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="mt-4 flex justify-end">
        <Button variant="secondary" onClick={onClose}>
          {t('common.close')}
        </Button>
      </div>
    </Dialog>
  );
}
