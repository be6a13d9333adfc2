import { Fragment, type ReactNode } from 'react';
import { parseMarkdown, type Inline } from '../../../widget/src/markdown';

/**
 * Bot answers rendered as the widget renders them: the widget's own small Markdown parser (one
 * definition of what a bot may format), turned into React elements, so no text reaches an HTML
 * parser and links keep only http(s) and mailto.
 */
function inline(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, i) => {
    if (typeof node === 'string') return <Fragment key={i}>{node}</Fragment>;
    switch (node.t) {
      case 'strong':
        return <strong key={i}>{inline(node.c)}</strong>;
      case 'em':
        return <em key={i}>{inline(node.c)}</em>;
      case 'code':
        return (
          <code key={i} className="rounded bg-black/5 px-1 py-0.5 font-mono text-[0.85em] dark:bg-white/10">
            {node.text}
          </code>
        );
      case 'br':
        return <br key={i} />;
      case 'a':
        return (
          <a key={i} href={node.href} target="_blank" rel="noopener noreferrer nofollow" className="underline underline-offset-2 hover:opacity-80">
            {inline(node.c)}
          </a>
        );
    }
  });
}

export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={['space-y-2', className].filter(Boolean).join(' ')}>
      {parseMarkdown(text).map((block, i) => {
        if (block.t === 'p') return <p key={i}>{inline(block.c)}</p>;
        if (block.t === 'pre')
          return (
            <pre key={i} className="overflow-x-auto rounded-lg bg-black/5 p-2 font-mono text-xs dark:bg-white/10">
              <code>{block.text}</code>
            </pre>
          );
        const List = block.t;
        return (
          <List key={i} className={block.t === 'ul' ? 'list-disc pl-5' : 'list-decimal pl-5'}>
            {block.items.map((item, j) => (
              <li key={j}>{inline(item)}</li>
            ))}
          </List>
        );
      })}
    </div>
  );
}
