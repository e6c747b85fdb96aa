/**
 * What a community of interest or a council's priorities can be about, in the framework's own
 * terms: its five themes (key lines of enquiry), the ten golden threads, the five templates and the
 * framework's groups of children. Ids as the catalogue and the gap figures write them.
 */
import { dimensions } from '../aggregates/signature.js';
import { findItems, loadCatalogue } from '../framework/catalogue.js';

export interface Term {
  id: string;
  label: string;
}

export interface NetworkVocabulary {
  themes: Term[];
  threads: Term[];
  templates: (Term & { number: number })[];
  groups: Term[];
}

const sentenceCase = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

let vocabulary: NetworkVocabulary | undefined;

export function networkVocabulary(): NetworkVocabulary {
  if (vocabulary === undefined) {
    const catalogue = loadCatalogue();
    vocabulary = {
      themes: findItems(catalogue, { kind: 'theme' }).map((theme) => ({ id: theme.id, label: `Theme ${theme.number}: ${theme.text.replace(/\.$/, '')}` })),
      threads: findItems(catalogue, { kind: 'golden-thread' }).map((thread) => ({ id: thread.id, label: `Golden thread ${thread.number}: ${sentenceCase(thread.shortTitle)}` })),
      templates: findItems(catalogue, { kind: 'template' }).map((template) => ({ id: String(template.number), number: template.number, label: `Template ${template.number}: ${sentenceCase(template.subject)}` })),
      groups: dimensions.filter((entry) => entry.kind === 'group').map((entry) => ({ id: entry.id, label: entry.label })),
    };
  }
  return vocabulary;
}

/** The label of a term of one kind, or undefined when the id is not one. */
export function termLabel(kind: keyof NetworkVocabulary, id: string): string | undefined {
  return (networkVocabulary()[kind] as Term[]).find((term) => term.id === id)?.label;
}
