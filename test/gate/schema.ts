/** results.schema.json compiled with ajv (strict), for the tests that check a results.json. */
import Ajv from 'ajv';
import schema from '../../src/report/results.schema.json';

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
export const validateResults = ajv.compile(schema);
