/**
 * Host-port arguments: PORT h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2), EPRT <d>af<d>addr<d>port<d>
 * (RFC 2428 §2), and the bounce-attack rule (RFC 2577 §3): only the client's own address, and only
 * ports 1024 and above.
 */
import * as net from 'node:net';
import { normalizeAddress } from './control-channel';

export interface HostPort {
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

export type EprtParse =
  | { readonly outcome: 'ok'; readonly target: HostPort }
  | { readonly outcome: 'syntax' }
  | { readonly outcome: 'unsupported-family' };

/** null when the argument is not six decimal numbers 0–255 separated by commas. */
export function parsePortArgument(argument: string): HostPort | null {
  const parts = argument.trim().split(',');
  if (parts.length !== 6 || parts.some((part) => !/^\d{1,3}$/.test(part))) return null;
  const numbers = parts.map(Number);
  if (numbers.some((value) => value > 255)) return null;
  const port = numbers[4]! * 256 + numbers[5]!;
  return { host: numbers.slice(0, 4).join('.'), port, family: 4 };
}

export function parseEprtArgument(argument: string): EprtParse {
  const delimiter = argument[0];
  if (delimiter === undefined || delimiter.charCodeAt(0) < 33 || delimiter.charCodeAt(0) > 126) return { outcome: 'syntax' };
  const fields = argument.split(delimiter);
  // "|1|addr|port|" splits into ['', '1', 'addr', 'port', ''].
  if (fields.length !== 5 || fields[0] !== '' || fields[4] !== '') return { outcome: 'syntax' };
  const [, family, address, portText] = fields as [string, string, string, string, string];
  if (!/^\d+$/.test(family)) return { outcome: 'syntax' };
  if (family !== '1' && family !== '2') return { outcome: 'unsupported-family' };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return { outcome: 'syntax' };
  const expected = family === '1' ? 4 : 6;
  if (net.isIP(address) !== expected) return { outcome: 'syntax' };
  return { outcome: 'ok', target: { host: address, port: Number(portText), family: expected } };
}

/** RFC 2577 §3: refuse third-party hosts and privileged ports. */
export function isAllowedDataTarget(target: HostPort, clientAddress: string): boolean {
  return target.port >= 1024 && sameAddress(target.host, clientAddress);
}

export function sameAddress(a: string, b: string): boolean {
  const left = normalizeAddress(a);
  const right = normalizeAddress(b);
  if (left === right) return true;
  if (net.isIPv6(left) && net.isIPv6(right)) return expandIpv6(left) === expandIpv6(right);
  return false;
}

function expandIpv6(address: string): string {
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === '' ? [] : tail.split(':');
  const missing = address.includes('::') ? 8 - headParts.length - tailParts.length : 0;
  return [...headParts, ...Array<string>(missing).fill('0'), ...tailParts].map((part) => part.padStart(4, '0')).join(':');
}

/** The four numbers of an IPv4 address for the 227 reply; null for IPv6. */
export function ipv4Octets(address: string): number[] | null {
  const normalized = normalizeAddress(address);
  return net.isIPv4(normalized) ? normalized.split('.').map(Number) : null;
}
