// TypeScript 5 (TC39 stage-3) decorators on classes, methods, fields and accessors.
export {};
const log: string[] = [];
function logged(value: Function, ctx: ClassMethodDecoratorContext) {
  return function (this: unknown, ...args: unknown[]) { log.push('call ' + String(ctx.name)); return (value as any).apply(this, args); };
}
function sealed(cls: Function, ctx: ClassDecoratorContext) { log.push('decorated class ' + String(ctx.name)); }
function double(_: undefined, ctx: ClassFieldDecoratorContext) { return (v: number) => { let r = v; for (let i = 0; i < 1; i++) r *= 2; return r; }; }
@sealed
class Service {
  @double count = 21;
  @logged run(n: number) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
}
const s = new Service();
console.log(s.run(4), s.count, log.join(', '));
