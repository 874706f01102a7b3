/**
 * The Modulus FTP server as its notes describe it (shared/seeds/modulus-ftp-server-notes.txt):
 * one connection at a time, the commands of its table, and the reply texts it lists.
 */
import type { Personality } from './types';

const SYNTAX = 'Syntax error in parameters or arguments';
const NOT_LOGGED_IN = { code: 530, text: 'Not logged in' } as const;
const OK = { code: 200, text: 'Command Successful' } as const;
const STARTING = { code: 125, text: 'Data Connection already open; Transfer starting' } as const;
const NO_DATA = { code: 425, text: "Can't open data connection" } as const;

export const modulus: Personality = {
  name: 'modulus',
  title: 'Modulus FTP Server',
  source: 'shared/seeds/modulus-ftp-server-notes.txt',
  // The table's "CWP" is CWD misspelt; the device is emulated with CWD (a CWP probe gets 500).
  commands: ['APPE', 'CWD', 'DELE', 'LIST', 'NOOP', 'PASS', 'PASV', 'PORT', 'PWD', 'RETR', 'STOR', 'SYST', 'TYPE', 'USER', 'QUIT'],
  // "CWP … supported; but doesn't do anything."
  behaviours: { CWD: 'accept' },
  // "TYPE … support I,A,L7 & L8": A is A N; L 7 is answered 200 below (the reference server has no 7-bit bytes).
  parameters: { TYPE: ['A', 'A N', 'I', 'L 8'] },
  maxSessions: 1,
  replies: {
    greeting: { text: 'Modulus FTP Server Ready.' },
    tooManySessions: { text: 'Service not available, closing control connection' },
    goodbye: { text: 'Service closing control connection' },
    passwordRequired: [
      { argument: '^anonymous$', text: 'Anonymous login okay' },
      { text: 'Password required for {argument}' },
    ],
    loggedIn: { text: 'User {user} logged in' },
    loginIncorrect: NOT_LOGGED_IN,
    notLoggedIn: NOT_LOGGED_IN,
    commandOkay: OK,
    typeSet: OK,
    portAccepted: OK,
    parameterNotImplemented: [
      { verbs: ['TYPE'], argument: '^L +7$', ...OK },
      { text: 'Command not implemented for that parameter' },
    ],
    argumentRequired: { text: SYNTAX },
    argumentForbidden: { text: SYNTAX },
    argumentInvalid: { text: SYNTAX },
    passiveMode: { replace: ['\\.$', ''] },
    currentDirectory: { text: '"{0}" is current directory' },
    systemType: { text: 'Modulus 2.1' },
    openingDataConnection: STARTING,
    dataConnectionAlreadyOpen: STARTING,
    transferComplete: { text: 'Transfer complete' },
    noDataConnection: NO_DATA,
    cannotOpenDataConnection: NO_DATA,
    transferAborted: { text: 'Connection closed; transfer aborted' },
    localError: { text: 'Requested action aborted. Local error in processing' },
    fileNameNotAllowed: { text: 'Requested action not taken. File name not allowed' },
    noSuchFile: { text: 'File Not Found' },
    fileDeleted: { text: 'Requested file action okay, completed.' },
  },
};
