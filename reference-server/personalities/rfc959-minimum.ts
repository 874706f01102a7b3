/**
 * A server with exactly the RFC 959 §5.1 minimum implementation: TYPE A N, MODE S, STRU F and R;
 * USER, QUIT, PORT, TYPE, MODE, STRU, RETR, STOR, NOOP (and PASS, without which USER cannot log in
 * on a server that has passwords).
 */
import type { Personality } from './types';

export const rfc959Minimum: Personality = {
  name: 'rfc959-minimum',
  title: 'RFC 959 §5.1 minimum implementation',
  source: 'shared/rfc/rfc959.txt §5.1',
  commands: ['USER', 'PASS', 'QUIT', 'PORT', 'TYPE', 'MODE', 'STRU', 'RETR', 'STOR', 'NOOP'],
  parameters: { TYPE: ['A', 'A N'], MODE: ['S'], STRU: ['F', 'R'] },
};
