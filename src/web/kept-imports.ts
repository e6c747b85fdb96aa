import nunjucks from 'nunjucks';

/**
 * Nunjucks runs an imported template's top level again at every `{% from … import … %}`, and
 * GOV.UK Frontend's macros import others at every call, so a page of a few dozen components re-ran
 * hundreds of template files' top levels: most of a page's rendering time. An import without
 * context sees only the environment's globals, which are set once at start, so its exports are the
 * same every time: they are kept per template the first time. Imports `with context` still run
 * every time, as they may read the page's variables.
 */
type ExportedCallback = (error: Error | null, exported: unknown) => void;
interface TemplateInternals {
  getExported: (this: object, context: unknown, parentFrame?: unknown, callback?: ExportedCallback) => void;
}

const keptExports = new WeakMap<object, unknown>();
let kept = false;

export function keepImportedMacros(): void {
  if (kept) return;
  kept = true;
  const prototype = (nunjucks.Template as unknown as { prototype: TemplateInternals }).prototype;
  const runTopLevel = prototype.getExported;
  prototype.getExported = function getExported(this: object, context: unknown, parentFrame?: unknown, callback?: ExportedCallback) {
    // Compiled templates call getExported(callback) for an import without context.
    if (typeof context !== 'function' || parentFrame !== undefined) {
      runTopLevel.call(this, context, parentFrame, callback);
      return;
    }
    const done = context as ExportedCallback;
    if (keptExports.has(this)) {
      done(null, keptExports.get(this));
      return;
    }
    runTopLevel.call(this, (error: Error | null, exported: unknown) => {
      if (error === null) keptExports.set(this, exported);
      done(error, exported);
    });
  };
}
