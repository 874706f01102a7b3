/**
 * Transfer parameter commands (RFC 959 §4.1.2) and their IPv6/NAT forms (RFC 2428).
 * Syntax errors answer 501; a valid parameter the server does not implement answers 504.
 */
import { ipv4Octets, isAllowedDataTarget, parseEprtArgument, parsePortArgument, type HostPort } from '../address';
import { ActiveChannel, listenPassive } from '../data-connection';
import { replies } from '../replies';
import type { Session } from '../session';
import { isFormatSupported, type DataType, type FileStructure, type TransferMode } from '../transfer-format';
import type { CommandSpec } from './types';

const TYPE_NAMES: Record<DataType, string> = { A: 'ASCII', E: 'EBCDIC', I: 'IMAGE (binary)', L: 'LOCAL' };

const TYPE: CommandSpec = {
  verb: 'TYPE',
  needsLogin: true,
  argument: 'required',
  syntax: 'TYPE <SP> type-code (A [N|T] | E [N|T] | I | L byte-size)',
  handler(session, argument) {
    // <type-code> ::= A [<sp> <form-code>] | E [<sp> <form-code>] | I | L <sp> <byte-size>
    const match = /^([AEIL])(?: ([A-Z]|\d+))?$/i.exec(argument.trim());
    if (match === null) {
      session.reply(replies.argumentInvalid('TYPE'));
      return;
    }
    const type = match[1]!.toUpperCase() as DataType;
    const parameter = match[2]?.toUpperCase();
    let form: 'N' | 'T' = 'N';
    let byteSize = 8;
    if (type === 'A' || type === 'E') {
      if (parameter !== undefined && !/^[NTC]$/.test(parameter)) return session.reply(replies.argumentInvalid('TYPE'));
      // Carriage control (ASA) is not implemented; T is the same as N here (RFC 1123 §4.1.2.2).
      if (parameter === 'C') return session.reply(replies.parameterNotImplemented('TYPE', argument.trim()));
      form = parameter === 'T' ? 'T' : 'N';
    } else if (type === 'I') {
      if (parameter !== undefined) return session.reply(replies.argumentInvalid('TYPE'));
    } else {
      if (parameter === undefined || !/^\d+$/.test(parameter)) return session.reply(replies.argumentInvalid('TYPE'));
      byteSize = Number(parameter);
      // On an 8-bit byte machine only L 8 is meaningful, and it is the same as I (RFC 1123 §4.1.2.1).
      if (byteSize !== 8) return session.reply(replies.parameterNotImplemented('TYPE', argument.trim()));
    }
    if (!isFormatSupported({ ...session.format, type })) {
      return session.reply(replies.parameterNotImplemented('TYPE', argument.trim()));
    }
    session.parameters = { ...session.parameters, type, form, byteSize };
    const detail = type === 'L' ? ` ${byteSize}` : type === 'A' || type === 'E' ? (form === 'T' ? ' Telnet' : ' Non-print') : '';
    session.reply(replies.typeSet(`${TYPE_NAMES[type]}${detail}`));
  },
};

const STRUCTURE_NAMES: Record<string, string> = { F: 'File', R: 'Record', P: 'Page' };

const STRU: CommandSpec = {
  verb: 'STRU',
  needsLogin: true,
  argument: 'required',
  syntax: 'STRU <SP> structure-code (F | R | P)',
  handler(session, argument) {
    const code = argument.trim().toUpperCase();
    if (!/^[FRP]$/.test(code)) return session.reply(replies.argumentInvalid('STRU'));
    // Page structure is NOT RECOMMENDED (RFC 1123 §4.1.2.3).
    const structure = code as FileStructure | 'P';
    if (structure === 'P' || !isFormatSupported({ ...session.format, structure })) {
      return session.reply(replies.parameterNotImplemented('STRU', code));
    }
    session.parameters = { ...session.parameters, structure };
    session.reply(replies.structureSet(STRUCTURE_NAMES[code]!));
  },
};

const MODE_NAMES: Record<TransferMode, string> = { S: 'Stream', B: 'Block', C: 'Compressed' };

const MODE: CommandSpec = {
  verb: 'MODE',
  needsLogin: true,
  argument: 'required',
  syntax: 'MODE <SP> mode-code (S | B | C)',
  handler(session, argument) {
    const code = argument.trim().toUpperCase();
    if (!/^[SBC]$/.test(code)) return session.reply(replies.argumentInvalid('MODE'));
    const mode = code as TransferMode;
    if (!isFormatSupported({ ...session.format, mode })) return session.reply(replies.parameterNotImplemented('MODE', code));
    session.parameters = { ...session.parameters, mode };
    session.reply(replies.modeSet(MODE_NAMES[mode]));
  },
};

/** After EPSV ALL only EPSV may set up data connections (RFC 2428 §3). */
const notAfterEpsvAll = (verb: string) => (session: Session) => (session.epsvAll ? replies.refusedAfterEpsvAll(verb) : null);

const PORT: CommandSpec = {
  verb: 'PORT',
  needsLogin: true,
  argument: 'required',
  syntax: 'PORT <SP> h1,h2,h3,h4,p1,p2',
  sequence: notAfterEpsvAll('PORT'),
  handler(session, argument) {
    const target = parsePortArgument(argument);
    if (target === null) return session.reply(replies.argumentInvalid('PORT'));
    if (useActive(session, target)) session.reply(replies.portAccepted);
  },
};

const EPRT: CommandSpec = {
  verb: 'EPRT',
  needsLogin: true,
  argument: 'required',
  syntax: 'EPRT <SP> |af|address|port|',
  features: () => ['EPRT'],
  sequence: notAfterEpsvAll('EPRT'),
  handler(session, argument) {
    const parsed = parseEprtArgument(argument.trim());
    if (parsed.outcome === 'syntax') return session.reply(replies.argumentInvalid('EPRT'));
    if (parsed.outcome === 'unsupported-family' || !familyUsable(session, parsed.target.family)) {
      return session.reply(replies.networkProtocolNotSupported(session.server.settings.addressFamilies));
    }
    if (useActive(session, parsed.target)) session.reply(replies.eprtAccepted);
  },
};

function useActive(session: Session, target: HostPort): boolean {
  if (!isAllowedDataTarget(target, session.control.remoteAddress)) {
    session.reply(replies.portRefused);
    return false;
  }
  session.closeData();
  session.data = new ActiveChannel(target.host, target.port, session.control.localAddress);
  return true;
}

const PASV: CommandSpec = {
  verb: 'PASV',
  needsLogin: true,
  argument: 'forbidden',
  syntax: 'PASV',
  sequence: notAfterEpsvAll('PASV'),
  async handler(session) {
    const octets = ipv4Octets(session.control.localAddress);
    if (octets === null) return session.reply(replies.pasvNeedsIpv4);
    const port = await usePassive(session);
    if (port !== null) session.reply(replies.passiveMode(octets, port));
  },
};

const EPSV: CommandSpec = {
  verb: 'EPSV',
  needsLogin: true,
  argument: 'optional',
  syntax: 'EPSV [<SP> af | ALL]',
  features: () => ['EPSV'],
  async handler(session, argument) {
    const requested = argument.trim().toUpperCase();
    if (requested === 'ALL') {
      session.epsvAll = true;
      return session.reply(replies.epsvAllAccepted);
    }
    if (requested !== '' && !/^\d+$/.test(requested)) return session.reply(replies.argumentInvalid('EPSV'));
    // The data connection uses the control connection's address, hence its family (RFC 2428 §3).
    if (requested !== '' && !familyUsable(session, requested === '1' ? 4 : requested === '2' ? 6 : 0)) {
      return session.reply(replies.networkProtocolNotSupported(session.server.settings.addressFamilies));
    }
    const port = await usePassive(session);
    if (port !== null) session.reply(replies.extendedPassiveMode(port));
  },
};

function familyUsable(session: Session, family: number): boolean {
  return family === session.control.family;
}

async function usePassive(session: Session): Promise<number | null> {
  session.closeData();
  try {
    const channel = await listenPassive({
      host: session.control.localAddress,
      allowedPeer: session.control.remoteAddress,
      portRange: session.server.settings.pasvPorts,
    });
    if (session.isEnded) {
      channel.close();
      return null;
    }
    session.data = channel;
    return channel.port;
  } catch {
    session.reply(replies.cannotListen);
    return null;
  }
}

export const parameterCommands: readonly CommandSpec[] = [TYPE, STRU, MODE, PORT, EPRT, PASV, EPSV];
