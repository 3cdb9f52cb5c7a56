/**
 * The language a system's team writes in, read from its runbooks (titles, descriptions, step
 * titles): the postmortem speaks it. Without runbooks to read, English.
 */
import type { Language } from './i18n.js';

const SPANISH = new Set([
  'de', 'la', 'el', 'los', 'las', 'del', 'en', 'con', 'para', 'por', 'una', 'un', 'y', 'que', 'se', 'al', 'sin', 'si', 'es',
  'verificar', 'revisar', 'reiniciar', 'caído', 'caida', 'caída', 'estado', 'servicio', 'base', 'datos', 'memoria', 'alta',
  'contenedor', 'logs', 'comprobar', 'limpiar', 'respaldo', 'escalar', 'buscar', 'leer', 'ver',
]);
const ENGLISH = new Set([
  'the', 'of', 'and', 'to', 'in', 'for', 'with', 'on', 'is', 'check', 'restart', 'down', 'service', 'database', 'memory',
  'high', 'container', 'verify', 'read', 'look', 'clean', 'backup', 'escalate', 'find', 'show', 'if', 'a', 'an',
]);

/** Runbooks as the language guess needs them. */
export interface RunbookText {
  id: string;
  title: string;
  description?: string;
  steps: ReadonlyArray<{ title: string }>;
}

/** The system a runbook belongs to: the first folder of its id (`minimarket/dashboard-down`). */
export const systemOf = (runbookId: string): string | null => (runbookId.includes('/') ? runbookId.split('/')[0] : null);

/** 'es' when the words of these texts are more Spanish than English, else 'en'. */
export function guessLanguage(texts: readonly string[]): Language {
  let es = 0;
  let en = 0;
  for (const text of texts) {
    if (/[ñ¿¡áéíóú]/i.test(text)) es += 2;
    for (const w of text.toLowerCase().split(/[^a-záéíóúñü]+/)) {
      if (SPANISH.has(w)) es++;
      if (ENGLISH.has(w)) en++;
    }
  }
  return es > en ? 'es' : 'en';
}

/** The language of the runbooks of these systems. */
export function languageOfSystems(systems: readonly string[], runbooks: readonly RunbookText[]): Language {
  const mine = runbooks.filter((r) => systems.includes(systemOf(r.id) ?? ''));
  return guessLanguage(mine.flatMap((r) => [r.title, r.description ?? '', ...r.steps.map((s) => s.title)]));
}
