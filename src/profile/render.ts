import Table from 'cli-table3';
import { ProfileResult, ProfileRowResult } from '../run/types';
import { Profile } from './types';
import { allRows } from './select';

const COLOURS: Record<ProfileRowResult['status'], number> = { conforms: 32, deviates: 31, 'not-run': 90 };

function wrap(text: string, width: number): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The console table of a profile run: one line per documented row, conforms / deviates / not-run. */
export function renderProfileTable(result: ProfileResult, colour: boolean): string {
  const paint = (s: ProfileRowResult['status']) => (colour ? `\x1b[${COLOURS[s]}m${s}\x1b[0m` : s);
  const table = new Table({ head: ['row', 'documented', 'status', 'why'], style: { head: [], border: [], compact: true } });
  for (const r of result.rows) {
    const why = r.status === 'conforms' ? r.cases.join(', ') : (r.reason ?? '');
    table.push([r.row, wrap(r.documented, 48), paint(r.status), wrap(why, 60)]);
  }
  const count = (s: ProfileRowResult['status']) => result.rows.filter((r) => r.status === s).length;
  return [
    `profile ${result.name}: ${result.title} (${result.source})`,
    table.toString(),
    `${result.rows.length} documented rows: ${count('conforms')} conforms, ${count('deviates')} deviates, ${count('not-run')} not-run`,
  ].join('\n') + '\n';
}

/** `list --profile NAME`: what the profile documents and which cases check each row (nothing is sent). */
export function describeProfile(profile: Profile, caseIds: string[]): string {
  const out: string[] = [`profile ${profile.name}: ${profile.title}`, `source: ${profile.source}`];
  if (profile.description) out.push(wrap(profile.description.replace(/\s+/g, ' ').trim(), 100));
  for (const n of profile.notes) out.push(`note: ${wrap(n.replace(/\s+/g, ' ').trim(), 94)}`);
  out.push(`data modes: ${profile.dataModes.join(', ')}`);
  for (const [name, p] of Object.entries(profile.parameters)) out.push(`parameter ${name} = ${p.value}  (${p.describe})`);
  if (profile.connections) out.push(`connections: at most ${profile.connections.max}; the next gets ${[profile.connections.beyond.code].flat().join('/')} and is closed`);
  const l = profile.login;
  out.push(`login: anonymous ${l.anonymous}${l.anonymousPassword ? ` (password: ${l.anonymousPassword})` : ''}, named users ${l.named ? 'yes' : 'no'}`);
  out.push(`commands: ${profile.commands.supported.join(' ')}`);
  const other = profile.commands.other;
  if (other) out.push(`any other command: ${[other.reply.code].flat().join('/')}${other.probe.length ? ` (probed: ${other.probe.join(' ')})` : ''}`);
  if (profile.tls) out.push(`TLS: explicit ${profile.tls.explicit ? 'yes' : 'no'}, implicit ${profile.tls.implicit ? `yes${profile.tls.implicitPort ? ` (port ${profile.tls.implicitPort})` : ''}` : 'no'}`);
  const table = new Table({ head: ['row', 'documented', 'checked by'], style: { head: [], border: [], compact: true } });
  for (const r of allRows(profile)) {
    const by = r.untestable ? `not-run: ${r.untestable}` : r.needs.length ? `needs ${r.needs.join(', ')}` : r.cases.join(', ');
    table.push([r.row, wrap(r.documented, 56), wrap(by, 56)]);
  }
  out.push(table.toString());
  out.push(`${allRows(profile).length} rows, ${caseIds.length} cases`);
  return out.join('\n') + '\n';
}
