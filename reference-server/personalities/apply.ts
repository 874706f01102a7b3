/** Applies a personality (data) to the command table and to every reply the server sends. */
import type { CommandSpec } from '../commands/types';
import { replies, replyOrigin, type Reply } from '../replies';
import { reply } from '../reply-format';
import type { ReplyContext } from '../session';
import type { Personality, ReplyOverride } from './types';

/** The syntax of the parameters a personality may narrow (RFC 959 §5.3.2); other text is left to the handler's 501. */
const PARAMETER_SYNTAX: Readonly<Record<string, RegExp>> = {
  TYPE: /^([AE])( [NTC])?$|^I$|^L \d+$/,
  STRU: /^[FRP]$/,
  MODE: /^[SBC]$/,
};

export interface AppliedPersonality {
  readonly personality: Personality;
  readonly maxSessions?: number;
  commands(table: ReadonlyMap<string, CommandSpec>): ReadonlyMap<string, CommandSpec>;
  rewrite(value: Reply, context: ReplyContext): Reply | null;
}

export function applyPersonality(personality: Personality): AppliedPersonality {
  for (const [key, value] of Object.entries(personality.replies ?? {})) {
    if (!(key in replies)) throw new Error(`personality ${personality.name}: no reply "${key}" in the catalogue`);
    for (const rule of [value].flat() as ReplyOverride[]) {
      if (rule.replace) new RegExp(rule.replace[0]);
      if (rule.argument) new RegExp(rule.argument, 'i');
    }
  }
  return {
    personality,
    maxSessions: personality.maxSessions,
    commands: (table) => narrowTable(table, personality),
    rewrite: (value, context) => rewriteReply(personality, value, context),
  };
}

function narrowTable(table: ReadonlyMap<string, CommandSpec>, p: Personality): ReadonlyMap<string, CommandSpec> {
  const kept = p.commands === undefined ? [...table.keys()] : p.commands;
  const out = new Map<string, CommandSpec>();
  for (const verb of kept) {
    const spec = table.get(verb);
    if (spec === undefined) throw new Error(`personality ${p.name}: the reference server has no command ${verb}`);
    out.set(verb, withParameters(withBehaviour(spec, p), p));
  }
  return out;
}

function withBehaviour(spec: CommandSpec, p: Personality): CommandSpec {
  const behaviour = p.behaviours?.[spec.verb];
  if (behaviour === undefined) return spec;
  // `accept`: the documented "supported, but doesn't do anything" — a 200 and no effect.
  return { ...spec, handler: (session) => session.reply(replies.commandOkay) };
}

function withParameters(spec: CommandSpec, p: Personality): CommandSpec {
  const allowed = p.parameters?.[spec.verb];
  if (allowed === undefined) return spec;
  const syntax = PARAMETER_SYNTAX[spec.verb];
  return {
    ...spec,
    handler: (session, argument) => {
      const normal = argument.trim().toUpperCase().replace(/\s+/g, ' ');
      if (allowed.includes(normal) || (syntax !== undefined && !syntax.test(normal))) return spec.handler(session, argument);
      session.reply(replies.parameterNotImplemented(spec.verb, normal));
    },
  };
}

function applies(rule: ReplyOverride, context: ReplyContext): boolean {
  if (rule.verbs !== undefined && !rule.verbs.includes(context.verb)) return false;
  if (rule.argument !== undefined && !new RegExp(rule.argument, 'i').test(context.argument)) return false;
  return true;
}

function fill(template: string, args: readonly unknown[], context: ReplyContext): string {
  return template.replace(/\{(\d+|user|argument)\}/g, (_, name: string) => {
    if (name === 'user') return context.user ?? '';
    if (name === 'argument') return context.argument.replace(/[\x00-\x1f\x7f]/g, '?');
    return String(args[Number(name)] ?? '');
  });
}

export function rewriteReply(p: Personality, value: Reply, context: ReplyContext): Reply | null {
  const origin = replyOrigin(value);
  if (origin === undefined) return value;
  const rules = p.replies?.[origin.key];
  if (rules === undefined) return value;
  const rule = ([rules].flat() as ReplyOverride[]).find((r) => applies(r, context));
  if (rule === undefined) return value;
  if (rule.omit) return null;
  const code = rule.code ?? value.code;
  if (rule.text !== undefined) return reply(code, fill(rule.text, origin.args, context));
  if (rule.replace !== undefined) {
    const re = new RegExp(rule.replace[0]);
    return reply(code, ...value.lines.map((line) => line.replace(re, rule.replace![1])));
  }
  return code === value.code ? value : reply(code, ...value.lines);
}
