/**
 * A small published-flow document for tests that count what a flow turn costs: asks a name,
 * greets with it and asks again, so every visitor message after the first gets a two-part answer
 * ("Encantado, Ana\n\n¿Algo más?") with no outside call.
 */
export function greetingFlow() {
  const pos = { x: 0, y: 0 };
  return {
    nodes: [
      { id: 'start', type: 'start', position: pos, data: {} },
      { id: 'name', type: 'input', position: pos, data: { prompt: '¿Tu nombre?', variable: 'name' } },
      { id: 'hi', type: 'message', position: pos, data: { text: 'Encantado, {{name}}' } },
      { id: 'again', type: 'input', position: pos, data: { prompt: '¿Algo más?', variable: 'more' } },
    ],
    edges: [
      { id: 'a', source: 'start', sourceHandle: 'next', target: 'name' },
      { id: 'b', source: 'name', sourceHandle: 'next', target: 'hi' },
      { id: 'c', source: 'hi', sourceHandle: 'next', target: 'again' },
    ],
  };
}
