import { parseSeverity, type Severity } from '../incidents/severity.js';
import { nearest } from '../nearest.js';
import { said } from '../said.js';
import type { SystemConfig, SystemsConfig } from './schema.js';

/** How names are compared: case, accents, spaces, "-" and "_" do not matter ("crítica" = "Critica"). */
const foldName = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[\s_-]/g, '');

export interface RoutingOptions {
  systems: SystemsConfig;
  severities: readonly Severity[];
  /** The default incidents channel, for incidents of no system or of a system without one. */
  incidentChannel: string;
}

/** A problem in the systems configuration; `path` is inside opsroom.yml. */
export interface RoutingProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Per-system routing: which channel an incident lives in, what the team's severity names mean,
 * where it is announced, which PagerDuty service and which people it has. Pure: built from config.
 */
export class SystemRouting {
  readonly names: readonly string[];

  constructor(private readonly o: RoutingOptions) {
    this.names = Object.keys(o.systems);
  }

  get severities() {
    return this.o.severities;
  }

  get defaultChannel() {
    return this.o.incidentChannel;
  }

  /** The configured name of a system, whatever its case; undefined when none is called that. */
  find(name: string | null | undefined): string | undefined {
    if (!name) return undefined;
    const wanted = name.trim().toLowerCase();
    return this.names.find((n) => n.toLowerCase() === wanted);
  }

  config(system: string | null | undefined): SystemConfig | undefined {
    const name = this.find(system);
    return name ? this.o.systems[name] : undefined;
  }

  /** The known system nearest to a mistyped name. */
  guess(name: string): string | undefined {
    return nearest(name.toLowerCase(), this.names);
  }

  /** The system whose incidents channel this is (only when exactly one system has it). */
  byChannel(channel: string): string | undefined {
    const owners = this.names.filter((n) => this.o.systems[n].channel === channel);
    return owners.length === 1 ? owners[0] : undefined;
  }

  /** Where an incident of this system lives: its channel, else the default incidents channel. */
  channelFor(system: string | null | undefined): string {
    return this.config(system)?.channel ?? this.o.incidentChannel;
  }

  /**
   * What a person typed, as an opsroom level: the system's own names first (so in a team whose
   * "P1" is opsroom's P2, P1 means P2 there), then opsroom's ids, aliases and SEV1-style names.
   */
  severity(input: string, system?: string | null): Severity | undefined {
    const names = this.config(system)?.severities ?? {};
    const wanted = foldName(input);
    const key = wanted ? Object.keys(names).find((k) => foldName(k) === wanted) : undefined;
    if (key !== undefined) return parseSeverity(names[key], this.o.severities);
    return parseSeverity(input, this.o.severities);
  }

  /** The team's name for an opsroom level (the first one configured), when it differs from the level. */
  teamName(level: string, system: string | null | undefined): string | undefined {
    const names = this.config(system)?.severities ?? {};
    for (const [name, to] of Object.entries(names)) {
      if (parseSeverity(to, this.o.severities)?.id === level && foldName(name) !== foldName(level)) return name;
    }
    return undefined;
  }

  /** "P1 · Crítica" where the system has its own name for the level, else "P1". */
  severityLabel(level: string, system: string | null | undefined): string {
    const team = this.teamName(level, system);
    return team ? `${level} · ${team}` : level;
  }

  /** The channel told about this system's incidents of this level, if any. */
  announceChannel(level: string, system: string | null | undefined): string | undefined {
    const a = this.config(system)?.announce;
    if (!a) return undefined;
    return a.severities.some((n) => this.severity(n, system)?.id === level) ? a.channel : undefined;
  }

  /** The PagerDuty service the system's incidents are raised on, when it has its own. */
  pagerService(system: string | null | undefined): string | undefined {
    return this.config(system)?.pagerduty?.service;
  }

  /** The system's own responders (beside permissions.responders). */
  responders(system: string | null | undefined): readonly string[] {
    return this.config(system)?.people?.responders ?? [];
  }

  /** Who is mentioned when one of its incidents opens. */
  oncall(system: string | null | undefined): readonly string[] {
    return this.config(system)?.people?.oncall ?? [];
  }

  handoffChannel(system: string | null | undefined): string | undefined {
    return this.config(system)?.handoff?.channel;
  }

  /** System names that have their own handoff channel. */
  withHandoffChannel(): string[] {
    return this.names.filter((n) => this.o.systems[n].handoff);
  }

  /** Severity names that mean no configured level, announce severities that mean none. */
  problems(): RoutingProblem[] {
    const out: RoutingProblem[] = [];
    const known = this.o.severities.map((s) => s.id).join(', ');
    for (const name of this.names) {
      const c = this.o.systems[name];
      for (const [team, level] of Object.entries(c.severities)) {
        if (!parseSeverity(level, this.o.severities))
          out.push({ path: ['systems', name, 'severities', team], message: `"${team}" maps to "${level}", which is not one of opsroom's levels (${known})` });
      }
      c.announce?.severities.forEach((s, i) => {
        if (!this.severity(s, name))
          out.push({ path: ['systems', name, 'announce', 'severities', i], message: `"${s}" is neither one of ${name}'s severity names nor a level (${known})` });
      });
    }
    return out;
  }
}

/** "Unknown system "x". Did you mean blatam? Known: a, b." */
export function unknownSystemText(typed: string, routing: SystemRouting): string {
  const guess = routing.guess(typed);
  const known = routing.names.length ? ` Known: ${routing.names.join(', ')}.` : ' No systems are configured (opsroom.yml `systems:`).';
  return `Unknown system "${said(typed)}".${guess ? ` Did you mean ${guess}?` : ''}${known}`;
}
