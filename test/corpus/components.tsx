// TSX: typed components, generic arrows that need the trailing comma (<T,>), `as` casts,
// non-null assertions, and a local factory.
export {};
type Props = Record<string, unknown> & { children?: unknown[] };
type Component<P> = (props: P & { children?: unknown[] }) => string;
function h(type: string | Component<any>, props: Record<string, unknown> | null, ...children: unknown[]): string {
  if (typeof type === 'function') return type({ ...(props ?? {}), children });
  let attrs = '';
  for (const [k, v] of Object.entries(props ?? {})) attrs += ` ${k}="${String(v)}"`;
  return `<${type}${attrs}>${(children.flat(Infinity) as unknown[]).join('')}</${type}>`;
}
const Fragment: Component<Props> = ({ children }) => (children ?? []).flat(Infinity).join('');
const identity = <T,>(x: T): T => x;
const wrap = <T extends string>(tag: T) => (text: string) => <span data-tag={tag}>{text}</span>;
interface TableProps<Row> { rows: Row[]; cell: (r: Row) => string }
function Table<Row>({ rows, cell }: TableProps<Row>): string {
  const out: string[] = [];
  let i = 0;
  while (i < rows.length) out.push(<td>{cell(rows[i++]!)}</td>);
  return <table><tr>{out}</tr></table>;
}
const el = (
  <>
    {identity(<em>generic</em>)}
    {wrap('x')('wrapped')}
    <Table rows={[{ n: 1 }, { n: 2 }]} cell={(r) => String(r.n as number)} />
    {(['a', 'b'] as const).map((s, idx): string => <i key={idx}>{s}</i>)}
  </>
);
console.log(el);
