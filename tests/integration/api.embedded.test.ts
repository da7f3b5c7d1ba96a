import { apiSuite } from './suites/index.js';

// The same API suite on the embedded default (in-memory PGlite).
apiSuite('API on embedded PGlite', 'embedded');
