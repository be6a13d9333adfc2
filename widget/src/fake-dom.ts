/**
 * Tests only: just enough of a DOM to record what the widget's builders make (tags, attributes,
 * text, and the `src`/`href` properties set after a fetch), without a browser.
 */
export class FakeNode {
  children: FakeNode[] = [];
  attrs: Record<string, string> = {};
  text = '';
  src?: string;
  href?: string;
  constructor(public tag: string) {}
  appendChild(n: FakeNode) {
    this.children.push(n);
    return n;
  }
  setAttribute(k: string, v: string) {
    this.attrs[k] = v;
  }
  addEventListener() {}
  set textContent(v: string) {
    this.children = [];
    this.text = v;
  }
}

export const fakeDocument = {
  createElement: (tag: string) => new FakeNode(tag),
  createTextNode: (text: string) => Object.assign(new FakeNode('#text'), { text }),
  createDocumentFragment: () => new FakeNode('#fragment'),
};

export const textOf = (n: FakeNode): string => n.text + n.children.map(textOf).join('');
