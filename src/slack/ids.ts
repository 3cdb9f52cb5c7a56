/** Every action_id, callback_id and block_id opsroom uses, in one place. */
export const Actions = {
  acknowledge: 'incident.acknowledge',
  postUpdate: 'incident.post_update',
  changeSeverity: 'incident.change_severity',
  /** The card's status menu: one click moves the status (its current one preselected). */
  changeStatus: 'incident.change_status',
  assignCommander: 'incident.assign_commander',
  resolve: 'incident.resolve',
  reopen: 'incident.reopen',
  escalate: 'incident.escalate',
  /** Under a verified recovery: move the incident to monitoring. */
  monitoring: 'incident.monitoring',
} as const;

export const Views = {
  open: 'incident.open',
  update: 'incident.update',
  resolve: 'incident.resolve',
  escalate: 'incident.escalate',
} as const;

/** block_id / action_id pairs of modal inputs. */
export const Inputs = {
  severity: 'severity',
  title: 'title',
  summary: 'summary',
  service: 'service',
  commander: 'commander',
  system: 'system',
  status: 'status',
  text: 'text',
  escalateTo: 'escalate_to',
} as const;

/** Runbook runs: suggestions, run cards, approvals, output. */
export const RunActions = {
  start: 'run.start',
  run: 'run.step.run',
  skip: 'run.step.skip',
  retry: 'run.step.retry',
  diagnostics: 'run.diagnostics',
  escalate: 'run.escalate',
  approve: 'run.approve',
  reject: 'run.reject',
  fullOutput: 'run.output.full',
  stop: 'run.step.stop',
  /** Overflow menu of a step on a compact card; option values are `<action>|<run>:<step>`. */
  stepMenu: 'run.step.menu',
  /** Step pickers of a long card: `run.step.pick.<n>`, option values as for stepMenu. */
  stepPick: 'run.step.pick',
} as const;

export const RunViews = {
  params: 'run.params',
  confirm: 'run.confirm',
  output: 'run.output',
  /** Why a dangerous step's approval request is rejected (or withdrawn). */
  reject: 'run.reject',
  /** Why a step is skipped. */
  skip: 'run.skip',
} as const;

/** Parameter inputs of the start modal are `param.<name>`. */
export const paramInput = (name: string) => `param.${name}`;

/** Shift handoffs: accept, "Add to handoff" on incident cards, its modal. */
export const HandoffActions = {
  accept: 'handoff.accept',
  addNote: 'handoff.add_note',
} as const;

export const HandoffViews = {
  note: 'handoff.note',
} as const;

/** Message shortcuts (the "…" menu on a message): callback ids and the names people see. */
export const Shortcuts = {
  addToTimeline: 'incident.timeline_add',
  declare: 'incident.declare',
} as const;

export const MESSAGE_SHORTCUTS: readonly { callback_id: string; name: string; description: string }[] = [
  { callback_id: Shortcuts.addToTimeline, name: 'Add to incident timeline', description: "Keep this message on an incident's timeline" },
  { callback_id: Shortcuts.declare, name: 'Declare incident', description: 'Open an incident from this message' },
];

export const TimelineViews = {
  pick: 'incident.timeline_pick',
} as const;

/** The incident picker of "Add to incident timeline". */
export const TimelineInputs = {
  incident: 'incident',
} as const;

/** Follow-ups on the card, and the resolved card's postmortem draft. */
export const FollowUpActions = {
  done: 'followup.done',
  postmortem: 'incident.postmortem',
} as const;
