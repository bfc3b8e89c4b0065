// JSX with a tiny local factory: components with loops, map callbacks and arrows in attributes,
// fragments, spread props, conditional rendering, and text containing braces-like characters.
export {};
function h(type, props, ...children) {
  if (typeof type === 'function') return type({ ...props, children });
  const attrs = Object.entries(props ?? {})
    .filter(([k]) => !k.startsWith('on'))
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<${type}${attrs}>${children.flat(Infinity).filter((c) => c != null && c !== false).join('')}</${type}>`;
}
const Fragment = ({ children }) => [children].flat(Infinity).join('');
function List({ items, render }) {
  const rows = [];
  for (let i = 0; i < items.length; i++) rows.push(<li key={i}>{render(items[i], i)}</li>);
  return <ul class="list">{rows}</ul>;
}
const Item = ({ label, children }) => <span title={label}>{label}: {children}</span>;
const App = () => (
  <>
    <h1 id="title">Hello {'{world}'}</h1>
    <List items={['a', 'b', 'c']} render={(x, i) => <Item label={x}>{i * 2}</Item>} />
    {[1, 2].map((n) => n % 2 ? <b>odd {n}</b> : <i>even {n}</i>)}
    {false && <p>hidden</p>}
    <div {...{ 'data-x': 1, onClick: () => { for (;;) break; } }}>spread</div>
    <p>{(() => { let s = 0; for (const v of [1, 2, 3]) s += v; return s; })()}</p>
  </>
);
console.log(App());
