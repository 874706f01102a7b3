/**
 * A fault personality: the minimal Python FTP server of shared/seeds/minimal-python-ftp-paper.txt,
 * from its Table I and the Wireshark captures of its Appendix B. Every override cites its figure.
 * Everything the paper does not show behaves as the reference server does.
 */
import type { Personality } from './types';

const NOT_IMPLEMENTED_FOR_PARAMETER = { text: 'Command not implemented for that parameter' } as const;

export const paper: Personality = {
  name: 'paper',
  title: 'Minimal Python FTP server (paper, Table I and Appendix B)',
  source: 'shared/seeds/minimal-python-ftp-paper.txt',
  // Table I: the implemented commands; "Invalid/Not Implemented 502".
  commands: ['USER', 'PASS', 'QUIT', 'PORT', 'PASV', 'NOOP', 'TYPE', 'STOR', 'RETR', 'SYST', 'PWD', 'LIST', 'CWD', 'STRU', 'MODE', 'MKD'],
  // Table I: TYPE (I and A), STRU (F), MODE (S); Figs. B.36, B.41, B.45: 504 for the others.
  parameters: { TYPE: ['A', 'I'], STRU: ['F'], MODE: ['S'] },
  replies: {
    greeting: { text: 'Service ready for new user' }, // Fig. B.1
    passwordRequired: { text: 'Need Password' }, // Fig. B.3
    loggedIn: { code: 200, text: 'Success' }, // Fig. B.5: PASS → 200
    loginIncorrect: { code: 430, text: 'Invalid login' }, // Fig. B.6: PASS → 430
    goodbye: { text: 'Service closing control connection' }, // Fig. B.8
    currentDirectory: { text: '{0}' }, // Fig. B.10: 257 with an unquoted path
    directoryChanged: { code: 200, text: 'directory changed to {0}' }, // Fig. B.12: CWD → 200
    directoryCreated: { text: 'Dir {0}created' }, // Fig. B.15: MKD 257, unquoted
    alreadyExists: { verbs: ['MKD'], text: 'MKD failed ' }, // Fig. B.16
    portAccepted: { text: 'Creating data socket' }, // Fig. B.18
    argumentInvalid: { text: 'Syntax error in parameters or arguments' }, // Fig. B.19
    passiveMode: { replace: ['\\((.*)\\)\\.?$', '$1'] }, // Fig. B.21: no parentheses
    // Figs. B.23, B.30: RETR and STOR answered "250 Accepted", no 1yz before the transfer.
    openingDataConnection: { verbs: ['RETR', 'STOR'], omit: true },
    dataConnectionAlreadyOpen: { verbs: ['RETR', 'STOR'], omit: true },
    transferComplete: { verbs: ['RETR', 'STOR'], code: 250, text: 'Accepted' },
    noSuchFile: [
      { verbs: ['RETR'], text: 'File does not exist.' }, // Fig. B.24
      { verbs: ['CWD'], text: 'Requested action not taken' }, // Fig. B.13
    ],
    noDataConnection: { text: 'Data connection was never created' }, // Figs. B.28, B.33
    argumentRequired: { verbs: ['STOR'], text: 'No filename given' }, // Fig. B.32
    typeSet: { text: 'Type Altered' }, // Fig. B.40
    structureSet: { text: 'Structure Altered' }, // Fig. B.35
    modeSet: { text: 'Mode Altered' }, // Fig. B.44
    parameterNotImplemented: NOT_IMPLEMENTED_FOR_PARAMETER, // Figs. B.36, B.41, B.45
    commandOkay: { verbs: ['NOOP'], text: 'NOOP Done' }, // Fig. B.48
    listingUnavailable: { verbs: ['LIST'], code: 501, text: 'The directory does not exist ' }, // Fig. B.52: LIST of a missing directory → 501
    systemType: { code: 200, text: 'Windows' }, // Fig. B.55: SYST → 200
    unknownCommand: { code: 502, text: 'Command not implemented' }, // Fig. B.56, Table I
  },
};
