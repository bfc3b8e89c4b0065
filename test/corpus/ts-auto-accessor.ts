// TypeScript 4.9+ / TC39 auto-accessors (`accessor` fields), with and without decorators.
export {};
function tracked<T>(target: ClassAccessorDecoratorTarget<unknown, T>, ctx: ClassAccessorDecoratorContext) {
  return {
    get(this: unknown): T { const v = target.get.call(this); for (let i = 0; i < 1; i++) {} return v; },
    set(this: unknown, v: T) { target.set.call(this, v); },
  };
}
class Box {
  accessor label = 'lbl';
  static accessor count = 0;
  @tracked accessor tracked = 7;
  bump(): number { for (let i = 0; i < 3; i++) Box.count++; return Box.count; }
}
const b = new Box();
b.label = 'changed';
console.log(b.label, b.bump(), b.tracked, Object.getOwnPropertyNames(Box.prototype).sort().join(','));
