import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../testing/harness';
import { createTeam, type Team } from '../testing/inbox';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(() => api.close());

const flowsOf = (team: Team) => `/api/v1/chatbots/${team.botId}/flows`;
const pos = { x: 0, y: 0 };

/** start -> ask the email -> thank by name: valid only if {{name}} is set somewhere. */
function emailFlow(withName: boolean) {
  return {
    nodes: [
      { id: 'start', type: 'start', position: pos, data: {} },
      ...(withName ? [{ id: 'name', type: 'input', position: pos, data: { prompt: 'Name?', variable: 'name' } }] : []),
      { id: 'thanks', type: 'message', position: pos, label: 'Thanks', data: { text: 'Thanks {{name}}' } },
    ],
    edges: withName
      ? [
          { id: 'e1', source: 'start', sourceHandle: 'next', target: 'name' },
          { id: 'e2', source: 'name', sourceHandle: 'next', target: 'thanks' },
        ]
      : [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'thanks' }],
  };
}

describe('flows API', () => {
  it('creates, saves drafts with revisions (409 when stale), publishes, lists versions and restores', async () => {
    const team = await createTeam(api);
    const { token } = team.owner;
    const created = await api.call('POST', flowsOf(team), { token, body: { name: 'Leads', template: 'lead_capture' } });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Leads', isEntry: true, draftRevision: 1, publishedVersion: null });
    expect(created.body.draft.nodes.some((n: { type: string }) => n.type === 'question')).toBe(true);
    const id = created.body.id as string;

    const saved = await api.call('PUT', `${flowsOf(team)}/${id}/draft`, { token, body: { document: emailFlow(true), baseRevision: 1 } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body.draftRevision).toBe(2);
    const stale = await api.call('PUT', `${flowsOf(team)}/${id}/draft`, { token, body: { document: emailFlow(false), baseRevision: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'conflict', details: { draftRevision: 2 } });

    const published = await api.call('POST', `${flowsOf(team)}/${id}/publish`, { token });
    expect(published.status, published.text).toBe(201);
    expect(published.body.version).toBe(1);

    await api.call('PUT', `${flowsOf(team)}/${id}/draft`, { token, body: { document: emailFlow(false) } });
    const versions = await api.call('GET', `${flowsOf(team)}/${id}/versions`, { token });
    expect(versions.body.data.map((v: { version: number }) => v.version)).toEqual([1]);
    const v1 = await api.call('GET', `${flowsOf(team)}/${id}/versions/1`, { token });
    expect(v1.body.document.nodes.map((n: { id: string }) => n.id)).toEqual(['start', 'name', 'thanks']);
    const restored = await api.call('POST', `${flowsOf(team)}/${id}/versions/1/restore`, { token });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.draft.nodes.map((n: { id: string }) => n.id)).toEqual(['start', 'name', 'thanks']);
    expect((await api.call('GET', `${flowsOf(team)}/${id}/versions/9`, { token })).status).toBe(404);

    const renamed = await api.call('PATCH', `${flowsOf(team)}/${id}`, { token, body: { name: 'Captación' } });
    expect(renamed.body.name).toBe('Captación');
    const list = await api.call('GET', flowsOf(team), { token });
    expect(list.body.data.map((f: { id: string }) => f.id)).toEqual([id]);
    expect((await api.call('DELETE', `${flowsOf(team)}/${id}`, { token })).status).toBe(204);
    expect((await api.call('GET', `${flowsOf(team)}/${id}`, { token })).status).toBe(404);
  });

  it('refuses to publish a flow with errors, naming the node, and validates any document', async () => {
    const team = await createTeam(api);
    const { token } = team.owner;
    const flow = await api.call('POST', flowsOf(team), { token, body: { name: 'Bad', document: emailFlow(false) } });
    const refused = await api.call('POST', `${flowsOf(team)}/${flow.body.id}/publish`, { token });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('flow_invalid');
    expect(refused.body.error.message).toContain('"Thanks" (thanks)');
    // Stable code and params: the dashboard words the issue in the user's language from them.
    expect(refused.body.error.details.issues).toContainEqual(
      expect.objectContaining({ code: 'missing_variable', nodeId: 'thanks', severity: 'error', params: expect.objectContaining({ node: 'thanks', label: 'Thanks' }) }),
    );
    const checked = await api.call('POST', `${flowsOf(team)}/${flow.body.id}/validate`, { token, body: { document: emailFlow(true) } });
    expect(checked.status, checked.text).toBe(200);
    expect(checked.body.issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    // A secret the organization does not have blocks publishing; creating it lets it through.
    const api_call = {
      nodes: [
        { id: 'start', type: 'start', position: pos, data: {} },
        { id: 'call', type: 'api_call', position: pos, data: { request: { url: 'https://api.example.com/x', auth: { kind: 'bearer', secret: 'TOKEN' } } } },
      ],
      edges: [{ id: 'e', source: 'start', sourceHandle: 'next', target: 'call' }],
    };
    const issues = await api.call('POST', `${flowsOf(team)}/${flow.body.id}/validate`, { token, body: { document: api_call } });
    expect(issues.body.issues).toContainEqual(expect.objectContaining({ code: 'unknown_secret', nodeId: 'call' }));
    await api.call('POST', '/api/v1/secrets', { token, body: { name: 'TOKEN', value: 's3cret' } });
    const ok = await api.call('POST', `${flowsOf(team)}/${flow.body.id}/validate`, { token, body: { document: api_call } });
    expect(ok.body.issues.some((i: { code: string }) => i.code === 'unknown_secret')).toBe(false);
  });

  it('runs the draft in the test endpoint with a trace, replaying from an earlier session', async () => {
    const team = await createTeam(api);
    const { token } = team.owner;
    const flow = await api.call('POST', flowsOf(team), { token, body: { name: 'Leads', template: 'lead_capture' } });
    const url = `${flowsOf(team)}/${flow.body.id}/test`;
    const first = await api.call('POST', url, { token, body: {} });
    expect(first.status, first.text).toBe(200);
    expect(first.body.replies.at(-1).quickReplies.map((q: { id: string }) => q.id)).toEqual(['demo', 'pricing', 'other']);
    expect(first.body.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['start', 'welcome', 'interest']);
    const second = await api.call('POST', url, { token, body: { session: first.body.session, quickReply: 'pricing', text: 'Precios' } });
    expect(second.body.session.state.variables.interest).toBe('Precios');
    expect(second.body.steps[0]).toMatchObject({ nodeId: 'interest', output: 'choice:pricing' });
    // Replaying from the first session takes the other branch.
    const replay = await api.call('POST', url, { token, body: { session: first.body.session, text: '1' } });
    expect(replay.body.session.state.variables.interest).toBe('Una demo');
    const named = await api.call('POST', url, { token, body: { session: second.body.session, text: 'Ana' } });
    const bad = await api.call('POST', url, { token, body: { session: named.body.session, text: 'not-an-email' } });
    expect(bad.body.steps[0]).toMatchObject({ nodeId: 'email', output: null });
    expect(bad.body.replies[0].text).toContain('email');
    const done = await api.call('POST', url, { token, body: { session: bad.body.session, text: 'ana@example.com' } });
    expect(done.body.session.state.status).toBe('completed');
    expect(done.body.replies.map((r: { text: string }) => r.text)).toContain('¡Gracias, Ana! Te escribiremos a ana@example.com.');
    expect(done.body.steps.find((s: { nodeId: string }) => s.nodeId === 'notify').result).toEqual({ simulated: true });
  });

  it('keeps secrets write-only and lists templates', async () => {
    const team = await createTeam(api);
    const { token } = team.owner;
    const saved = await api.call('POST', '/api/v1/secrets', { token, body: { name: 'CRM_KEY', value: 'very-secret-value' } });
    expect(saved.status, saved.text).toBe(201);
    expect(saved.raw).not.toContain('very-secret-value');
    const list = await api.call('GET', '/api/v1/secrets', { token });
    expect(list.body.data.map((s: { name: string }) => s.name)).toEqual(['CRM_KEY']);
    expect(list.raw).not.toContain('very-secret-value');
    expect((await api.call('DELETE', '/api/v1/secrets/CRM_KEY', { token })).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/secrets/CRM_KEY', { token })).status).toBe(404);
    const templates = await api.call('GET', '/api/v1/flow-templates', { token });
    expect(templates.body.data.map((t: { id: string }) => t.id)).toEqual(['lead_capture', 'faq_handoff', 'appointment_request', 'order_status', 'after_hours']);
  });

  it('refuses other organizations on every route, and lets viewers read but not change', async () => {
    const team = await createTeam(api);
    const flow = await api.call('POST', flowsOf(team), { token: team.owner.token, body: { name: 'F', template: 'faq_handoff' } });
    const id = flow.body.id as string;
    await api.call('POST', `${flowsOf(team)}/${id}/publish`, { token: team.owner.token });
    await api.call('POST', '/api/v1/secrets', { token: team.owner.token, body: { name: 'MINE', value: 'x' } });
    const other = await api.signUp();
    await api.createOrg(other);
    const base = `${flowsOf(team)}/${id}`;
    const calls: Array<[string, string, unknown?]> = [
      ['GET', flowsOf(team)],
      ['POST', flowsOf(team), { name: 'x' }],
      ['GET', base],
      ['PATCH', base, { name: 'x' }],
      ['PUT', `${base}/draft`, { document: emailFlow(true) }],
      ['POST', `${base}/validate`, {}],
      ['POST', `${base}/publish`],
      ['GET', `${base}/versions`],
      ['GET', `${base}/versions/1`],
      ['POST', `${base}/versions/1/restore`],
      ['POST', `${base}/test`, {}],
      ['GET', `${base}/analytics`],
      ['DELETE', base],
    ];
    for (const [method, path, body] of calls) {
      const res = await api.call(method, path, { token: other.token, body });
      expect(res.status, res.text).toBe(404);
    }
    expect((await api.call('DELETE', '/api/v1/secrets/MINE', { token: other.token })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/secrets', { token: other.token })).body.data).toEqual([]);

    const viewer = await api.addMember(team.owner, team.orgId, 'viewer');
    expect((await api.call('GET', base, { token: viewer.token })).status).toBe(200);
    expect((await api.call('PATCH', base, { token: viewer.token, body: { name: 'x' } })).status).toBe(403);
    expect((await api.call('POST', `${base}/publish`, { token: viewer.token })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/secrets', { token: viewer.token })).status).toBe(403);
    expect((await api.call('DELETE', base, { token: team.owner.token })).status).toBe(204);
  });
});
