/**
 * The `@differentiable` method decorator.
 *
 * It is a compile-time marker: adgen's compiler sees the decorator in source and treats the
 * method like a `@differentiable` function. At run time there is nothing to do, so it hands
 * the method back unchanged. Both decorator flavours are accepted: TC39 standard decorators
 * (TypeScript's default) and legacy `experimentalDecorators`.
 */

/** Marks a class method as differentiable (TC39 standard decorators). */
export function differentiable<This, Args extends any[], Return>(
  method: (this: This, ...args: Args) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
): (this: This, ...args: Args) => Return;
/** Marks a class method as differentiable (legacy `experimentalDecorators`). */
export function differentiable(
  target: object,
  propertyKey: string | symbol,
  descriptor: PropertyDescriptor,
): PropertyDescriptor;
export function differentiable(...args: unknown[]): unknown {
  // Legacy decorators get (target, key, descriptor) and may return the descriptor;
  // standard ones get (method, context) and may return the method. Either way: unchanged.
  return args.length === 3 ? args[2] : args[0];
}
