/** @jsx h */
// TSX, which only tsx compiles here (trapdoor strips types, not JSX): then trapdoor instruments tsx's JavaScript.
function h(tag: string, props: Record<string, unknown> | null, ...children: unknown[]): string {
  const attributes = Object.entries(props ?? {}).map(([k, v]) => ` ${k}="${String(v)}"`);
  return `<${tag}${attributes.join('')}>${children.join('')}</${tag}>`;
}

const names: string[] = ['tsx', 'jsx'];
console.log(<ul class="names">{names.map((n) => <li>{n}</li>)}</ul>);
